// Small DOM helpers shared by the room's modules; every text goes in as textContent.
export const $ = (id) => document.getElementById(id);

// An element with properties (or attributes), "text" as textContent, "on" as listeners.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// Change a text only when it differs, so a live region announces changes, not repeats.
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

export function onSubmit(id, fn) {
  const form = $(id);
  if (form) form.addEventListener("submit", (event) => { event.preventDefault(); fn(form); });
}

const CONTROLS = "button, input, select, textarea, a[href]";

// Rebuild container's children with build(), keeping the keyboard focus on the same control
// of the same item (items carry data-key): live updates must not throw the focus away.
export function rebuild(container, build) {
  const active = document.activeElement;
  let key = null;
  let index = -1;
  const item = active && active !== container && container.contains(active) ? active.closest("[data-key]") : null;
  if (item && container.contains(item)) {
    key = item.dataset.key;
    index = [...item.querySelectorAll(CONTROLS)].indexOf(active);
  }
  container.replaceChildren();
  build();
  if (key === null) return;
  const again = [...container.querySelectorAll("[data-key]")].find((node) => node.dataset.key === key);
  if (!again) return;
  const all = [...again.querySelectorAll(CONTROLS)];
  const same = all[index];
  const target = same && !same.disabled ? same : all.find((control) => !control.disabled);
  if (target) {
    target.focus();
  } else {
    again.tabIndex = -1;
    again.focus();
  }
}
