// The connection line (role="status") and the error line (role="alert", announced).
import { $ } from "./dom.js";
import { t } from "./strings.js";

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
