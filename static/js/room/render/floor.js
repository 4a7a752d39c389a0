// The speaking queue and the floor: raised hands, the hand button, who speaks and how long.
import { $, el, rebuild, setText } from "../dom.js";
import { nameOf, t } from "../strings.js";
import { remaining } from "../clock.js";
import { room } from "../state.js";
import { giveFloor, lowerHand } from "../console.js";

const you = (person) => (person.id === room.me.id ? ` ${t("you")}` : "");

function handItem(hand) {
  const item = el("li", { "data-key": String(hand.id), text: nameOf(hand) + you(hand) });
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
  rebuild(list, () => {
    for (const hand of room.queue.hands) list.append(handItem(hand));
  });
  const handButton = $("hand-button");
  handButton.textContent = raised ? t("lower_hand") : t("raise_hand");
  handButton.setAttribute("aria-pressed", raised ? "true" : "false");
  handButton.dataset.raised = raised ? "1" : "0";
  const speaker = room.queue.speaker;
  const endTurn = $("end-turn-button");
  endTurn.hidden = !(speaker && (speaker.id === room.me.id || room.me.can_run));
  renderSpeaker();
}

// Who has the floor (a live region: it changes with the speaker) and, apart, the time left
// (not live: it changes every second).
export function renderSpeaker() {
  const speaker = room.queue.speaker;
  setText($("speaker"), speaker ? `${t("speaking")} ${nameOf(speaker)}${you(speaker)}` : t("nobody_speaking"));
  const left = speaker && room.queue.speaker_until ? (remaining(room.queue.speaker_until) || t("time_up")) : "";
  setText($("speaker-remaining"), left ? `· ${left}` : "");
}
