// Translated texts, from the page's json_script (room_strings() in deliberation/forum/views.py).
let texts = null;

// The text for key, with each %(name)s replaced by values[name].
export function t(key, values = {}) {
  if (texts === null) {
    const data = document.getElementById("room-strings");
    texts = data ? JSON.parse(data.textContent) : {};
  }
  const text = texts[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
