// The live room page's entry point: reads the page's data, wires the modules, routes frames.
import { $ } from "./dom.js";
import { t } from "./strings.js";
import { setLimits } from "./limits.js";
import { formatTime, setServerTime } from "./clock.js";
import { createConnection } from "./connection.js";
import { createOutbox } from "./outbox.js";
import { bindSender } from "./actions.js";
import {
  applyEvent, applyOpinionMap, applyPresence, applyStatementReview, applyStatementVote, applyVote, applyWelcome, room,
} from "./state.js";
import { errorText, setStatus, showError } from "./status.js";
import { applyComposerLimits, initComposer, messageProblem, restoreDraft } from "./composer.js";
import { applyControlLimits, initControls } from "./controls.js";
import { applyConsoleLimits, initConsole } from "./console.js";
import { addMessage, markHidden } from "./render/chat.js";
import { renderPhase, renderTimer } from "./render/agenda.js";
import { renderQueue, renderSpeaker } from "./render/floor.js";
import { renderPresence } from "./render/presence.js";
import { renderQuestions } from "./render/questions.js";
import { renderPolls } from "./render/polls.js";
import { renderRecommendations } from "./render/recommendations.js";
import { initStatements, renderStatements } from "./render/statements.js";
import { renderOpinionMap } from "./render/opinion_map.js";

const renderStatementsAndMap = () => {
  renderStatements();
  renderOpinionMap();
};

const RENDER = {
  phase: renderPhase,
  timer: renderTimer,
  queue: renderQueue,
  presence: renderPresence,
  questions: renderQuestions,
  polls: renderPolls,
  recommendations: renderRecommendations,
  statements: renderStatementsAndMap,
};

const mutedLine = (until) => `${t("muted")} ${formatTime(until)}`;

function start(root) {
  room.isConsole = root.dataset.console === "1";
  let outbox = null;

  function onWelcome(frame, first) {
    setLimits(frame.limits);
    setServerTime(frame.server_time);
    applyWelcome(frame);
    applyComposerLimits();
    applyControlLimits();
    if (room.isConsole) applyConsoleLimits();
    showError(frame.you.muted_until ? mutedLine(frame.you.muted_until) : "");
    if (first) for (const message of frame.recent_messages) addMessage(message);
    for (const render of Object.values(RENDER)) render();
    outbox.resend();
  }

  function onEvent(event) {
    switch (event.type) {
      case "message":
        outbox.settle(event.client_id);
        return addMessage(event);
      case "message_hidden":
        return markHidden(event.target_seq);
      case "moderation":
        if (event.user && event.user.id === room.me.id && event.action === "mute") showError(mutedLine(event.until));
        return;
      case "statements":
        // Turned on: the welcome carries the statements and my votes, so read it afresh.
        if (event.enabled && !room.statements.enabled) connection.refresh();
        applyEvent(event);
        return renderStatementsAndMap();
      default: {
        const part = applyEvent(event);
        if (part) RENDER[part]();
      }
    }
  }

  function onFrame(frame) {
    switch (frame.type) {
      case "presence":
        applyPresence(frame);
        return renderPresence();
      case "ack":
        outbox.settle(frame.client_id);
        if (frame.poll_id !== undefined && applyVote(frame)) renderPolls();
        if (frame.vote !== undefined && frame.statement_id !== undefined) {
          applyStatementVote(frame);
          renderStatements();
        }
        return;
      case "statement_review":
        applyStatementReview(frame);
        return renderStatements();
      case "opinion_map":
        applyOpinionMap(frame);
        return renderOpinionMap();
      case "error": {
        const refused = outbox.settle(frame.client_id);
        if (refused) restoreDraft(refused.text);
        return showError(errorText(frame));
      }
      default:
        return;
    }
  }

  const connection = createConnection({ path: root.dataset.wsPath, onWelcome, onEvent, onFrame, onStatus: setStatus });
  bindSender(connection.send);
  outbox = createOutbox({
    send: connection.send,
    isReady: connection.isReady,
    check: (frame) => messageProblem(frame.text),
    onDropped: (reason, frame) => {
      restoreDraft(frame.text);
      showError(reason);
    },
  });
  initComposer({ outbox, isReady: connection.isReady });
  initControls();
  initStatements();
  if (room.isConsole) initConsole();
  setInterval(() => { renderTimer(); renderSpeaker(); }, 1000);
  setStatus("connecting", false);
  connection.connect();
}

const root = $("room");
if (root) start(root);
