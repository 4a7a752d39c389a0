// The chat log: messages in seq order, each shown once, hidden ones greyed out.
import { $, el } from "../dom.js";
import { nameOf, t } from "../strings.js";
import { formatTime } from "../clock.js";
import { room } from "../state.js";
import { hideMessage } from "../console.js";

export function addMessage(message) {
  const list = $("messages");
  const log = $("message-log"); // the scrolling region around the list
  if (list.querySelector(`[data-seq="${message.seq}"]`)) return;
  const item = el("li", { "data-seq": String(message.seq) },
    el("span", { className: "author", data: nameOf(message.author) }),
    el("time", { dateTime: message.at, text: formatTime(message.at) }),
    message.hidden
      ? el("span", { className: "text", text: t("hidden") })
      : el("span", { className: "text", data: message.text }));
  if (message.hidden) item.classList.add("is-hidden");
  if (message.synthetic) item.append(" ", el("span", { className: "badge badge-demo", text: t("demo") }));
  if (room.me.can_run && room.isConsole && !message.hidden) {
    item.append(el("button", { type: "button", className: "secondary hide-button", text: t("hide"),
      on: { click: () => hideMessage(message.seq) } }));
  }
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  list.append(item);
  if (nearBottom) log.scrollTop = log.scrollHeight;
}

export function markHidden(seq) {
  const item = $("messages").querySelector(`[data-seq="${seq}"]`);
  if (!item) return;
  item.classList.add("is-hidden");
  const text = item.querySelector(".text");
  text.textContent = t("hidden");
  text.removeAttribute("lang");
  const button = item.querySelector(".hide-button");
  if (!button) return;
  if (button === document.activeElement) {
    item.tabIndex = -1; // keep the keyboard focus where it was
    item.focus();
  }
  button.remove();
}
