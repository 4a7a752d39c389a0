// Who is in the room, by name; the facilitator's console adds mute and remove buttons.
import { $, dataSpan, el, rebuild } from "../dom.js";
import { nameOf, t } from "../strings.js";
import { room } from "../state.js";
import { mute, remove } from "../console.js";

export function renderPresence() {
  const list = $("presence");
  const people = [...room.presence.values()].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  rebuild(list, () => {
    for (const person of people) list.append(personItem(person));
  });
  $("presence-count").textContent = String(people.length);
}

function personItem(person) {
  const item = el("li", { "data-key": String(person.id) },
    dataSpan(nameOf(person)), person.id === room.me.id ? ` ${t("you")}` : "");
  if (room.isConsole && room.me.can_run && person.id !== room.me.id) {
    item.append(el("button", { type: "button", className: "secondary", text: t("mute"),
      on: { click: () => mute(person.id) } }));
    item.append(el("button", { type: "button", className: "secondary", text: t("remove"),
      on: { click: () => remove(person.id) } }));
  }
  return item;
}
