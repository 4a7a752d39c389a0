// The agenda: the current phase and the session timer's countdown.
import { $, setData, setText } from "../dom.js";
import { t } from "../strings.js";
import { remaining } from "../clock.js";
import { room } from "../state.js";

export function renderPhase() {
  // The server sends the phase's code; its name is the page's, in the page's language.
  setText($("phase-label"), room.phase.phase ? t(`phase_${room.phase.phase}`) : "—");
  const select = $("phase-select");
  if (select) select.value = room.phase.phase;
}

export function renderTimer() {
  const timer = room.timer;
  setData($("timer-label"), timer.label || "");
  setText($("timer-remaining"), timer.ends_at ? (remaining(timer.ends_at) || t("time_up")) : t("no_timer"));
}
