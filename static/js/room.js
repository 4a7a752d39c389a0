// Live room client (protocol: docs/websocket-protocol.md).
// Reconnects by itself with backoff and resumes from the last sequence number it applied;
// unacknowledged messages are sent again with the same client_id, which the server
// stores once. Every user-supplied text is rendered with textContent.
(() => {
  "use strict";
  const root = document.getElementById("room");
  if (!root) return;
  const S = JSON.parse(document.getElementById("room-strings").textContent);
  const wsPath = root.dataset.wsPath;
  const isConsole = root.dataset.console === "1";
  const FINAL_CLOSE = { 4401: "signed_out", 4403: "refused", 4404: "refused", 4408: "removed" };
  const $ = (id) => document.getElementById(id);

  let socket = null;
  let lastSeq = null; // null until the first welcome: then the page starts from its snapshot
  let attempt = 0;
  let stopped = false;
  let clockOffset = 0; // server time minus local time, in ms
  let me = { id: null, can_run: false, can_answer: false };
  let counter = 0;
  const pending = new Map(); // client_id -> message frame not yet acknowledged
  const state = { presence: new Map(), queue: { hands: [], speaker: null, speaker_until: null },
    timer: { ends_at: null, label: "" }, questions: new Map(), polls: new Map(), recommendations: new Map() };

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };
  const newClientId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${++counter}`;
  const serverNow = () => Date.now() + clockOffset;
  const formatTime = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const remaining = (iso) => {
    const ms = Date.parse(iso) - serverNow();
    if (ms <= 0) return null;
    const total = Math.ceil(ms / 1000);
    return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
  };

  function setStatus(key, up) {
    const status = $("connection-status");
    status.textContent = S[key] || key;
    status.classList.toggle("is-up", !!up);
    status.classList.toggle("is-down", !up);
  }

  function showError(text) {
    $("room-error").textContent = text || "";
  }

  // Connection ----------------------------------------------------------------------

  function connect() {
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = lastSeq === null ? "" : `?last_seq=${lastSeq}`;
    const ws = new WebSocket(`${scheme}://${location.host}${wsPath}${query}`);
    socket = ws;
    ws.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      handle(frame);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (FINAL_CLOSE[event.code]) {
        stopped = true;
        setStatus(FINAL_CLOSE[event.code], false);
        return;
      }
      setStatus("reconnecting", false);
      const delay = Math.min(10000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function sendMessage(text) {
    const frame = { type: "message", text, client_id: newClientId() };
    pending.set(frame.client_id, frame);
    if (!send(frame)) showError(S.not_connected);
  }

  function act(frame) {
    if (!send(frame)) showError(S.not_connected);
  }

  setInterval(() => send({ type: "ping" }), 25000);

  // Frames --------------------------------------------------------------------------

  function handle(frame) {
    if (frame.type === "welcome") return welcome(frame);
    if (typeof frame.seq === "number" && frame.type !== "ack") {
      if (lastSeq !== null && frame.seq <= lastSeq) return; // already applied
      lastSeq = frame.seq;
      return apply(frame);
    }
    switch (frame.type) {
      case "presence":
        if (frame.present) state.presence.set(frame.user.id, frame.user);
        else state.presence.delete(frame.user.id);
        return renderPresence();
      case "ack":
        if (frame.client_id) pending.delete(frame.client_id);
        if (frame.poll_id !== undefined) {
          const poll = state.polls.get(frame.poll_id);
          if (poll) { poll.my_vote = frame.option; renderPolls(); }
        }
        return;
      case "error":
        if (frame.client_id) pending.delete(frame.client_id);
        return showError(frame.detail);
      case "removed":
        stopped = true;
        return setStatus("removed", false);
      default:
        return;
    }
  }

  function welcome(frame) {
    attempt = 0;
    me = frame.you;
    clockOffset = Date.parse(frame.server_time) - Date.now();
    setStatus("connected", true);
    showError(frame.you.muted_until ? `${S.muted} ${formatTime(frame.you.muted_until)}` : "");
    if (lastSeq === null) {
      lastSeq = frame.last_seq;
      for (const message of frame.recent_messages) addMessage(message);
    }
    applyPhase(frame.phase);
    state.timer = frame.timer;
    state.queue = frame.queue;
    state.presence = new Map(frame.presence.map((p) => [p.id, p]));
    state.questions = new Map(frame.questions.map((q) => [q.id, q]));
    state.polls = new Map(frame.polls.map((p) => [p.id, p]));
    state.recommendations = new Map(frame.recommendations.map((r) => [r.id, r]));
    renderAll();
    for (const message of pending.values()) send(message);
  }

  function apply(event) {
    switch (event.type) {
      case "message":
        if (event.client_id) pending.delete(event.client_id);
        return addMessage(event);
      case "message_hidden":
        return hideMessage(event.target_seq);
      case "phase":
        return applyPhase(event);
      case "timer":
        state.timer = { ends_at: event.ends_at, label: event.label };
        return renderClocks();
      case "queue":
        state.queue = { hands: event.hands, speaker: event.speaker, speaker_until: event.speaker_until };
        return renderQueue();
      case "moderation":
        if (event.user && event.user.id === me.id && event.action === "mute") {
          showError(`${S.muted} ${formatTime(event.until)}`);
        }
        return;
      case "question": {
        const previous = state.questions.get(event.question.id);
        state.questions.set(event.question.id, { ...event.question, upvoted: previous ? previous.upvoted : false });
        return renderQuestions();
      }
      case "poll": {
        const previous = state.polls.get(event.poll.id);
        state.polls.set(event.poll.id, { ...event.poll, my_vote: previous ? previous.my_vote : null });
        return renderPolls();
      }
      case "recommendation": {
        const previous = state.recommendations.get(event.recommendation.id);
        state.recommendations.set(event.recommendation.id,
          { ...event.recommendation, supported: previous ? previous.supported : false });
        return renderRecommendations();
      }
      default:
        return;
    }
  }

  // Rendering -----------------------------------------------------------------------

  function addMessage(message) {
    const log = $("messages");
    if (log.querySelector(`[data-seq="${message.seq}"]`)) return;
    const item = el("li", { "data-seq": String(message.seq) },
      el("span", { className: "author", text: message.author ? message.author.name : "" }),
      el("time", { dateTime: message.at, text: formatTime(message.at) }),
      el("span", { className: "text", text: message.hidden ? S.hidden : message.text }));
    if (message.hidden) item.classList.add("is-hidden");
    if (message.synthetic) item.append(" ", el("span", { className: "badge badge-demo", text: S.demo }));
    if (me.can_run && isConsole && !message.hidden) {
      item.append(el("button", { type: "button", className: "secondary hide-button", text: S.hide, on: { click: () => {
        const reason = window.prompt(S.hide_reason, "");
        if (reason !== null) act({ type: "message_hide", seq: message.seq, reason });
      } } }));
    }
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    log.append(item);
    if (nearBottom) log.scrollTop = log.scrollHeight;
  }

  function hideMessage(seq) {
    const item = $("messages").querySelector(`[data-seq="${seq}"]`);
    if (!item) return;
    item.classList.add("is-hidden");
    item.querySelector(".text").textContent = S.hidden;
    const button = item.querySelector(".hide-button");
    if (button) button.remove();
  }

  function applyPhase(phase) {
    $("phase-label").textContent = phase.label;
    const select = $("phase-select");
    if (select) select.value = phase.phase;
  }

  function renderClocks() {
    const timer = state.timer;
    $("timer-label").textContent = timer.label || "";
    $("timer-remaining").textContent = timer.ends_at ? (remaining(timer.ends_at) || S.time_up) : S.no_timer;
    const speaker = state.queue.speaker;
    const speakerLine = $("speaker");
    if (!speaker) {
      speakerLine.textContent = S.nobody_speaking;
    } else {
      const left = state.queue.speaker_until ? (remaining(state.queue.speaker_until) || S.time_up) : "";
      speakerLine.textContent = `${S.speaking} ${speaker.name}${speaker.id === me.id ? " " + S.you : ""} · ${left}`;
    }
  }
  setInterval(renderClocks, 1000);

  function renderQueue() {
    const list = $("hands");
    list.replaceChildren();
    let raised = false;
    for (const hand of state.queue.hands) {
      if (hand.id === me.id) raised = true;
      const item = el("li", { text: hand.name + (hand.id === me.id ? ` ${S.you}` : "") });
      if (isConsole && me.can_run) {
        item.append(el("button", { type: "button", text: S.give_floor, on: { click: () => {
          const seconds = parseInt($("turn-seconds").value, 10) || 120;
          act({ type: "floor_give", user_id: hand.id, seconds });
        } } }));
        item.append(el("button", { type: "button", className: "secondary", text: S.lower,
          on: { click: () => act({ type: "hand_lower", user_id: hand.id }) } }));
      }
      list.append(item);
    }
    const handButton = $("hand-button");
    handButton.textContent = raised ? S.lower_hand : S.raise_hand;
    handButton.setAttribute("aria-pressed", raised ? "true" : "false");
    handButton.dataset.raised = raised ? "1" : "0";
    const speaker = state.queue.speaker;
    $("end-turn-button").hidden = !(speaker && (speaker.id === me.id || me.can_run));
    renderClocks();
  }

  function renderPresence() {
    const list = $("presence");
    list.replaceChildren();
    const people = [...state.presence.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const person of people) {
      const item = el("li", { text: person.name + (person.id === me.id ? ` ${S.you}` : "") });
      if (isConsole && me.can_run && person.id !== me.id) {
        item.append(el("button", { type: "button", className: "secondary", text: S.mute, on: { click: () => {
          const reason = window.prompt(S.mute_reason, "");
          if (reason !== null) act({ type: "mute", user_id: person.id, minutes: 5, reason });
        } } }));
        item.append(el("button", { type: "button", className: "secondary", text: S.remove, on: { click: () => {
          const reason = window.prompt(S.remove_reason, "");
          if (reason !== null) act({ type: "remove", user_id: person.id, reason });
        } } }));
      }
      list.append(item);
    }
    $("presence-count").textContent = String(people.length);
  }

  function renderQuestions() {
    const open = $("questions");
    if (!open) return;
    const answered = $("answered");
    open.replaceChildren();
    answered.replaceChildren();
    const questions = [...state.questions.values()];
    questions.sort((a, b) => b.votes - a.votes || a.id - b.id);
    for (const question of questions) {
      const item = el("li", { "data-question-id": String(question.id) },
        el("span", { className: "question-text", text: question.text }),
        el("span", { className: "hint", text: ` — ${question.author ? question.author.name : ""} · ${question.votes} ${S.votes}` }));
      if (question.status === "answered") {
        item.append(el("div", { className: "question-answer" },
          el("span", { text: `${S.answered_by} ${question.answered_by ? question.answered_by.name : ""}: ` }),
          el("span", { text: question.answer })));
        answered.append(item);
        continue;
      }
      if (question.status === "picked") item.prepend(el("span", { className: "badge", text: S.picked }), " ");
      item.append(el("button", { type: "button", text: question.upvoted ? S.upvoted : S.upvote,
        disabled: !!question.upvoted, "aria-pressed": question.upvoted ? "true" : "false", on: { click: () => {
          question.upvoted = true;
          act({ type: "question_upvote", question_id: question.id });
          renderQuestions();
        } } }));
      if (me.can_run && question.status === "open") {
        item.append(el("button", { type: "button", className: "secondary", text: S.pick,
          on: { click: () => act({ type: "question_pick", question_id: question.id }) } }));
      }
      if (me.can_answer) {
        item.append(el("button", { type: "button", className: "secondary", text: S.answer, on: { click: () => {
          const text = window.prompt(S.answer_prompt, "");
          if (text) act({ type: "question_answer", question_id: question.id, text });
        } } }));
      }
      open.append(item);
    }
  }

  function renderPolls() {
    const box = $("polls");
    box.replaceChildren();
    for (const poll of state.polls.values()) {
      const block = el("div", { className: "poll" }, el("p", {}, el("strong", { text: poll.question })));
      if (poll.status === "closed" && poll.results) {
        const total = poll.results.reduce((a, b) => a + b, 0);
        const list = el("ul", { className: "plain-list", "aria-label": S.results });
        poll.options.forEach((option, index) => {
          const count = poll.results[index];
          const share = total ? Math.round((100 * count) / total) : 0;
          list.append(el("li", { text: `${option}: ${count} (${share}%)` }));
        });
        block.append(list);
      } else if (poll.my_vote !== null && poll.my_vote !== undefined) {
        block.append(el("p", { text: `${S.you_voted} ${poll.options[poll.my_vote]}` }));
      } else {
        const form = el("form", {});
        const fieldset = el("fieldset", {}, el("legend", { className: "visually-hidden", text: poll.question }));
        poll.options.forEach((option, index) => {
          const id = `poll-${poll.id}-${index}`;
          fieldset.append(el("div", {}, el("input", { type: "radio", name: `poll-${poll.id}`, id, value: String(index) }),
            el("label", { htmlFor: id, text: ` ${option}` })));
        });
        form.append(fieldset, el("button", { type: "submit", text: S.vote }));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const chosen = form.querySelector("input:checked");
          if (chosen) act({ type: "poll_vote", poll_id: poll.id, option: parseInt(chosen.value, 10), client_id: newClientId() });
        });
        block.append(form);
      }
      if (poll.status === "open" && me.can_run && isConsole) {
        block.append(el("button", { type: "button", className: "secondary", text: S.close_poll,
          on: { click: () => act({ type: "poll_close", poll_id: poll.id }) } }));
      }
      box.append(block);
    }
  }

  function renderRecommendations() {
    const list = $("recommendations");
    list.replaceChildren();
    for (const recommendation of state.recommendations.values()) {
      const item = el("li", {},
        el("span", { text: recommendation.text }),
        el("span", { className: "hint", text: ` · ${recommendation.supporters} ${S.supporters}` }));
      item.append(el("button", { type: "button", className: recommendation.supported ? "secondary" : "",
        "aria-pressed": recommendation.supported ? "true" : "false",
        text: recommendation.supported ? S.withdraw : S.support, on: { click: () => {
          const support = !recommendation.supported;
          recommendation.supported = support;
          act({ type: "recommendation_support", recommendation_id: recommendation.id, support });
        } } }));
      list.append(item);
    }
  }

  function renderAll() {
    renderClocks();
    renderQueue();
    renderPresence();
    renderQuestions();
    renderPolls();
    renderRecommendations();
  }

  // Controls ------------------------------------------------------------------------

  const onSubmit = (id, fn) => {
    const form = $(id);
    if (form) form.addEventListener("submit", (event) => { event.preventDefault(); fn(form); });
  };

  onSubmit("message-form", () => {
    const input = $("message-input");
    const text = input.value.trim();
    if (!text) return;
    showError("");
    sendMessage(text);
    input.value = "";
    input.focus();
  });
  $("message-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("message-form").requestSubmit();
    }
  });
  $("hand-button").addEventListener("click", () => {
    act({ type: $("hand-button").dataset.raised === "1" ? "hand_lower" : "hand_raise" });
  });
  $("end-turn-button").addEventListener("click", () => act({ type: "floor_end" }));
  onSubmit("phase-form", () => act({ type: "phase_set", phase: $("phase-select").value }));
  onSubmit("timer-form", () => {
    const minutes = parseInt($("timer-minutes").value, 10);
    if (minutes > 0) act({ type: "timer_start", seconds: minutes * 60, label: $("timer-name").value });
  });
  const timerStop = $("timer-stop");
  if (timerStop) timerStop.addEventListener("click", () => act({ type: "timer_stop" }));
  onSubmit("poll-form", () => {
    const options = $("poll-options").value.split("\n").map((o) => o.trim()).filter(Boolean);
    act({ type: "poll_open", question: $("poll-question").value, options });
    $("poll-question").value = "";
    $("poll-options").value = "";
  });
  onSubmit("question-form", () => {
    const input = $("question-input");
    if (input.value.trim()) act({ type: "question_ask", text: input.value.trim(), client_id: newClientId() });
    input.value = "";
  });
  onSubmit("recommendation-form", () => {
    const input = $("recommendation-input");
    if (input.value.trim()) act({ type: "recommendation_add", text: input.value.trim() });
    input.value = "";
  });

  setStatus("connecting", false);
  connect();
})();
