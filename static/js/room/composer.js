// The chat composer: Enter sends, Shift+Enter breaks the line; a message over the server's
// limits is refused here, the reason announced and the text kept, and nothing is sent.
import { $, onSubmit } from "./dom.js";
import { bound, frameProblem, limit, textProblem } from "./limits.js";
import { t } from "./strings.js";
import { accept, refuse, showError } from "./status.js";

// Why a message text cannot be sent as it stands, or null.
export function messageProblem(text) {
  return textProblem(text) || frameProblem({ type: "message", text }, { withClientId: true });
}

// outbox: where messages wait for their acknowledgement; isReady(): the socket is usable.
export function initComposer({ outbox, isReady }) {
  const input = $("message-input");
  onSubmit("message-form", () => {
    const text = input.value.trim();
    if (!text) return;
    const problem = messageProblem(text);
    if (problem) return refuse(input, problem);
    if (isReady() && !outbox.waiting() && outbox.chatDelay() > 0) {
      return refuse(input, t("too_fast", { limit: limit("chat_limit"), seconds: limit("chat_window_seconds") }));
    }
    accept(input);
    showError(isReady() ? "" : t("not_connected"));
    outbox.add({ type: "message", text });
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("message-form").requestSubmit();
    }
  });
  // Mark the field invalid while it is over the limit; the reason is announced on sending.
  input.addEventListener("input", () => {
    if (messageProblem(input.value.trim())) input.setAttribute("aria-invalid", "true");
    else accept(input);
  });
}

// A message that could not be sent goes back into an empty composer, so nothing typed is lost.
export function restoreDraft(text) {
  const input = $("message-input");
  if (input && !input.value.trim()) input.value = text;
}

export function applyComposerLimits() {
  // maxlength counts UTF-16 units, never more than the UTF-8 bytes, so this bound is loose
  // for Korean (3 bytes a syllable); the byte limit itself is checked on sending.
  bound("message-input", "maxLength", limit("max_message_bytes"));
}
