// The agenda: the current phase and the session timer's countdown.
import { $, setText } from "../dom.js";
import { t } from "../strings.js";
import { remaining } from "../clock.js";
import { room } from "../state.js";

export function renderPhase() {
  setText($("phase-label"), room.phase.label);
  const select = $("phase-select");
  if (select) select.value = room.phase.phase;
}

export function renderTimer() {
  const timer = room.timer;
  setText($("timer-label"), timer.label || "");
  setText($("timer-remaining"), timer.ends_at ? (remaining(timer.ends_at) || t("time_up")) : t("no_timer"));
}
