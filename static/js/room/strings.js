// Translated texts, from the page's json_script (room_strings() in deliberation/forum/views.py).
let texts = null;

function load() {
  if (texts === null) {
    const data = document.getElementById("room-strings");
    texts = data ? JSON.parse(data.textContent) : {};
  }
  return texts;
}

// Whether the page has a text for key.
export const has = (key) => Object.hasOwn(load(), key);

// The text for key, with each %(name)s replaced by values[name].
export function t(key, values = {}) {
  const text = load()[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// How a person is named on this page: their chosen name, or their seat's default name in
// the page's language (the server sends the seat number while they have not chosen one).
export function nameOf(person) {
  if (!person) return "";
  if (person.seat) return t("seat_name", { number: String(person.seat).padStart(3, "0") });
  return person.name;
}
