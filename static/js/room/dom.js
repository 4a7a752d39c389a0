// Small DOM helpers shared by the room's modules; every text goes in as textContent.
export const $ = (id) => document.getElementById(id);

// The language of a piece of data (a name, a message, a question) when it is not the page's:
// "ko" for Hangul on an English page, "en" for Latin words on a Korean page, else "". A
// screen reader reads a part marked with its lang by that language's rules (WCAG 3.1.2).
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/;
const LATIN_WORD = /[A-Za-z]{2,}/;
export function foreignLang(text) {
  const value = String(text ?? "");
  const lang = HANGUL.test(value) ? "ko" : LATIN_WORD.test(value) ? "en" : "";
  const page = (document.documentElement.lang || "ko").split("-")[0];
  return lang && lang !== page ? lang : "";
}

// An element with properties (or attributes), "text" as textContent, "data" as textContent
// marked with its language (what people wrote or named), "on" as listeners.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "data") setData(node, value);
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

// setText for data: the text, and its lang when it is not the page's.
export function setData(node, text) {
  if (!node) return;
  setText(node, text);
  const lang = foreignLang(text);
  if (lang) node.lang = lang;
  else node.removeAttribute("lang");
}

// A span holding data, marked with its language; a plain text node when it is the page's.
export function dataSpan(text) {
  return foreignLang(text) ? el("span", { data: text }) : document.createTextNode(text);
}

// Replace node's children with parts (texts and nodes) only when the text they make
// differs, so a live region announces a change once.
export function setParts(node, parts) {
  if (!node) return;
  const made = parts.map((part) => (typeof part === "string" ? part : part.textContent)).join("");
  if (node.textContent === made) return;
  node.replaceChildren(...parts);
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
