// On every page, a wide table scrolls sideways inside its .table-wrap (on a phone, many do):
// while it does, the wrapper is a focusable region named by the table's caption or the heading
// before it, so a keyboard can reach it and scroll it with the arrows.
(function () {
  "use strict";
  const wraps = [...document.querySelectorAll(".table-wrap")];
  if (!wraps.length) return;

  // The caption or heading that names the region; labelled by reference, so that its Korean
  // parts keep their lang (an aria-label is one string in one language).
  function namer(wrap) {
    const caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption;
    for (let node = wrap.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[2-4]$/.test(node.tagName)) return node;
    }
    const section = wrap.closest("section");
    return section ? section.querySelector("h2, h3") : null;
  }

  let named = 0;
  function mark() {
    for (const wrap of wraps) {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.dataset.scrollRegion) {
        wrap.dataset.scrollRegion = "1";
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        const node = namer(wrap);
        if (node) {
          if (!node.id) node.id = `table-name-${++named}`;
          wrap.setAttribute("aria-labelledby", node.id);
        } else {
          wrap.setAttribute("aria-label", document.title);
        }
      } else if (!scrolls && wrap.dataset.scrollRegion) {
        delete wrap.dataset.scrollRegion;
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-labelledby");
        wrap.removeAttribute("aria-label");
      }
    }
  }

  mark();
  window.addEventListener("resize", mark);
})();
