// Facilitator-only controls: phase, timer, polls, recommendations, the floor and moderation;
// their inputs take their bounds from the server's limits.
import { $, onSubmit } from "./dom.js";
import { act } from "./actions.js";
import { bound, chars, clip, limit, textProblem } from "./limits.js";
import { t } from "./strings.js";
import { accept, refuse } from "./status.js";

const MUTE_MINUTES = 5; // what the "Mute 5 min" button says (the server allows max_mute_minutes)

// A reason asked in a prompt, cut to the server's limit as the server would; null: cancelled.
function reason(question) {
  const answer = window.prompt(question, "");
  return answer === null ? null : clip(answer.trim(), "max_reason_chars");
}

export function hideMessage(seq) {
  const why = reason(t("hide_reason"));
  if (why !== null) act({ type: "message_hide", seq, reason: why });
}

export function mute(userId) {
  const why = reason(t("mute_reason"));
  if (why !== null) act({ type: "mute", user_id: userId, minutes: MUTE_MINUTES, reason: why });
}

export function remove(userId) {
  const why = reason(t("remove_reason"));
  if (why !== null) act({ type: "remove", user_id: userId, reason: why });
}

export function giveFloor(userId) {
  const input = $("turn-seconds");
  if (!input.reportValidity()) return; // its max is the server's max_turn_seconds
  const seconds = Number.isFinite(input.valueAsNumber) ? input.valueAsNumber : Number(input.defaultValue);
  act({ type: "floor_give", user_id: userId, seconds });
}

export const lowerHand = (userId) => act({ type: "hand_lower", user_id: userId });

export const closePoll = (pollId) => act({ type: "poll_close", poll_id: pollId });

// Why these poll options cannot be sent (too many, or one too long), or null.
function optionsProblem(options) {
  const most = limit("max_poll_options");
  if (most !== null && options.length > most) return t("too_many_options", { max: most, count: options.length });
  const longest = limit("max_poll_option_chars");
  const index = longest === null ? -1 : options.findIndex((option) => chars(option) > longest);
  return index >= 0 ? t("option_too_long", { number: index + 1, max: longest }) : null;
}

export function initConsole() {
  onSubmit("phase-form", () => act({ type: "phase_set", phase: $("phase-select").value }));
  onSubmit("timer-form", () => {
    const minutes = parseInt($("timer-minutes").value, 10);
    const label = clip($("timer-name").value, "max_timer_label_chars");
    if (minutes > 0) act({ type: "timer_start", seconds: minutes * 60, label });
  });
  const timerStop = $("timer-stop");
  if (timerStop) timerStop.addEventListener("click", () => act({ type: "timer_stop" }));
  onSubmit("poll-form", () => {
    const field = $("poll-options");
    const options = field.value.split("\n").map((option) => option.trim()).filter(Boolean);
    const problem = optionsProblem(options);
    if (problem) return refuse(field, problem);
    accept(field);
    if (act({ type: "poll_open", question: $("poll-question").value, options })) {
      $("poll-question").value = "";
      field.value = "";
    }
  });
  onSubmit("recommendation-form", () => {
    const input = $("recommendation-input");
    const text = input.value.trim();
    if (!text) return;
    const problem = textProblem(text);
    if (problem) return refuse(input, problem);
    accept(input);
    if (act({ type: "recommendation_add", text })) input.value = "";
  });
  const options = $("poll-options");
  if (options) options.addEventListener("input", () => accept(options));
}

// Bounds from the welcome's limits (the page's HTML holds none).
export function applyConsoleLimits() {
  bound("turn-seconds", "max", limit("max_turn_seconds"));
  const seconds = limit("max_timer_seconds");
  bound("timer-minutes", "max", seconds === null ? null : Math.floor(seconds / 60));
  bound("timer-name", "maxLength", limit("max_timer_label_chars"));
  bound("poll-question", "maxLength", limit("max_poll_question_chars"));
  bound("recommendation-input", "maxLength", limit("max_message_bytes"));
}
