// Everyone's controls besides the chat: the hand, the end of one's turn, expert questions.
import { $, onSubmit } from "./dom.js";
import { act, newClientId } from "./actions.js";
import { bound, limit, RateWindow, textProblem } from "./limits.js";
import { t } from "./strings.js";
import { accept, refuse } from "./status.js";

// Questions count against the same per-participant limit as chat messages, apart from them.
const questions = new RateWindow("chat_limit", "chat_window_seconds");

export function initControls() {
  $("hand-button").addEventListener("click", () => {
    act({ type: $("hand-button").dataset.raised === "1" ? "hand_lower" : "hand_raise" });
  });
  $("end-turn-button").addEventListener("click", () => act({ type: "floor_end" }));
  onSubmit("question-form", () => {
    const input = $("question-input");
    const text = input.value.trim();
    if (!text) return;
    const problem = textProblem(text);
    if (problem) return refuse(input, problem);
    if (questions.delay() > 0) {
      return refuse(input, t("too_fast", { limit: limit("chat_limit"), seconds: limit("chat_window_seconds") }));
    }
    accept(input);
    if (act({ type: "question_ask", text, client_id: newClientId() })) {
      questions.take();
      input.value = "";
    }
  });
}

export function applyControlLimits() {
  bound("question-input", "maxLength", limit("max_message_bytes"));
}
