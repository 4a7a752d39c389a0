// The speaking queue and the floor: raised hands, the hand button, who speaks and how long.
import { $, dataSpan, el, rebuild, setParts, setText } from "../dom.js";
import { nameOf, t } from "../strings.js";
import { remaining } from "../clock.js";
import { room } from "../state.js";
import { giveFloor, lowerHand } from "../console.js";

const you = (person) => (person.id === room.me.id ? ` ${t("you")}` : "");

function handItem(hand) {
  const item = el("li", { "data-key": String(hand.id) }, dataSpan(nameOf(hand)), you(hand));
  if (room.isConsole && room.me.can_run) {
    item.append(el("button", { type: "button", text: t("give_floor"), on: { click: () => giveFloor(hand.id) } }));
    item.append(el("button", { type: "button", className: "secondary", text: t("lower"),
      on: { click: () => lowerHand(hand.id) } }));
  }
  return item;
}

export function renderQueue() {
  const list = $("hands");
  const raised = room.queue.hands.some((hand) => hand.id === room.me.id);
  const handButton = $("hand-button");
  const endTurn = $("end-turn-button");
  const speaker = room.queue.speaker;
  // Only the speaker ends their own turn; the facilitator, on the console, ends anyone's.
  const mayEnd = !!speaker && (speaker.id === room.me.id || (room.isConsole && room.me.can_run));
  const hadFocus = document.activeElement === endTurn;
  endTurn.hidden = !mayEnd;
  if (hadFocus && endTurn.hidden) handButton.focus(); // the turn ended: stay in the queue
  // When the last raised hand is given the floor, the focus goes to "End turn" (the
  // facilitator's next step) or to the hand button.
  rebuild(list, () => {
    for (const hand of room.queue.hands) list.append(handItem(hand));
  }, { fallback: () => (endTurn.hidden ? handButton : endTurn) });
  handButton.textContent = raised ? t("lower_hand") : t("raise_hand");
  handButton.setAttribute("aria-pressed", raised ? "true" : "false");
  handButton.dataset.raised = raised ? "1" : "0";
  renderSpeaker();
}

// Who has the floor (a live region: it changes with the speaker) and, apart, the time left
// (not live: it changes every second).
export function renderSpeaker() {
  const speaker = room.queue.speaker;
  setParts($("speaker"), speaker ? [`${t("speaking")} `, dataSpan(nameOf(speaker)), you(speaker)] : [t("nobody_speaking")]);
  const left = speaker && room.queue.speaker_until ? (remaining(room.queue.speaker_until) || t("time_up")) : "";
  setText($("speaker-remaining"), left ? `· ${left}` : "");
}
