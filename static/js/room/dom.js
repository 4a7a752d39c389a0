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

const usable = (control) => !control.disabled && !control.hidden && control.getClientRects().length > 0;

// Put the focus on node, or, when it has no usable control, on the node itself.
function focusIn(node, index) {
  const all = [...node.querySelectorAll(CONTROLS)];
  const same = all[index];
  const target = same && usable(same) ? same : all.find(usable);
  if (target) {
    target.focus();
  } else {
    node.tabIndex = -1;
    node.focus();
  }
}

// Rebuild container's children with build(), keeping the keyboard focus on the equivalent
// control (items carry data-key): the same control of the same item; when that item is gone
// (a hand given the floor), the same control of the item now in its place, or of the last
// one; when none is left, fallback() (a control beside the list). Live updates must never
// throw the focus back to the top of the page.
export function rebuild(container, build, { fallback = null } = {}) {
  const active = document.activeElement;
  let key = null;
  let index = -1;
  let position = -1;
  const item = active && active !== container && container.contains(active) ? active.closest("[data-key]") : null;
  if (item && container.contains(item)) {
    key = item.dataset.key;
    index = [...item.querySelectorAll(CONTROLS)].indexOf(active);
    position = [...container.querySelectorAll("[data-key]")].indexOf(item);
  }
  container.replaceChildren();
  build();
  if (key === null) return;
  const items = [...container.querySelectorAll("[data-key]")];
  const again = items.find((node) => node.dataset.key === key) || items[Math.min(position, items.length - 1)];
  if (again) {
    focusIn(again, index);
    return;
  }
  const beside = fallback ? fallback() : null;
  if (beside) {
    beside.focus();
  } else {
    container.tabIndex = -1;
    container.focus();
  }
}
