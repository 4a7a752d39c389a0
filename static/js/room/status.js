// The connection line (role="status") and the error line (role="alert", announced).
import { $ } from "./dom.js";
import { has, t } from "./strings.js";
import { formatTime } from "./clock.js";

// An error frame from the server, worded in the page's language: by its reason (what
// exactly happened) and its params, else by its code; never the server's English detail.
export function errorText(frame) {
  const params = { ...(frame.params || {}) };
  if (params.until) params.until = formatTime(params.until);
  for (const key of [`error_${frame.reason}`, `error_${frame.code}`]) {
    if (has(key)) return t(key, params);
  }
  return t("error_unknown");
}

export function setStatus(key, up) {
  const status = $("connection-status");
  status.textContent = t(key);
  status.classList.toggle("is-up", !!up);
  status.classList.toggle("is-down", !up);
}

let shown = 0; // bumps on every call, so a delayed re-announcement never overwrites a newer text

// Show (and announce) an error; the same text twice is announced twice.
export function showError(text) {
  const box = $("room-error");
  const next = text || "";
  const call = ++shown;
  if (next && box.textContent === next) {
    box.textContent = "";
    requestAnimationFrame(() => { if (call === shown) box.textContent = next; });
    return;
  }
  box.textContent = next;
}

// Refuse what was typed in input: say why, mark the field invalid, keep the text and the focus.
export function refuse(input, text) {
  showError(text);
  if (!input) return;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

export function accept(input) {
  if (input) input.removeAttribute("aria-invalid");
}
