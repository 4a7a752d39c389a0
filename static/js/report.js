// Make the report PDF in the background and show its progress until it can be downloaded.
(function () {
  "use strict";
  const form = document.getElementById("pdf-form");
  const status = document.getElementById("pdf-status");
  if (!form || !status || !window.fetch) return;

  function show(data) {
    status.textContent = "";
    if (data.status === "done") {
      const link = document.createElement("a");
      link.href = data.download_url;
      link.textContent = data.label;
      status.appendChild(link);
    } else if (data.status === "failed") {
      status.textContent = data.label + " " + (data.error || "");
    } else if (data.status === "cancelled") {
      status.textContent = data.label;
    } else {
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = data.progress;
      bar.setAttribute("aria-label", data.label);
      status.appendChild(bar);
      status.appendChild(document.createTextNode(" " + data.label + " " + data.progress + "%"));
      if (data.cancel_url) status.appendChild(cancelButton(data));
      if (data.hint) {
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = data.hint;
        status.appendChild(hint);
      }
    }
  }

  function cancelButton(data) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = data.cancel_label;
    button.addEventListener("click", () => {
      button.disabled = true;
      const body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(data.cancel_url, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((r) => r.json())
        .then(show)
        .catch(() => { button.disabled = false; });
    });
    return button;
  }

  function poll(url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => {
        show(data);
        if (data.status === "queued" || data.status === "running") {
          window.setTimeout(() => poll(url), 1500);
        }
      })
      .catch(() => { window.setTimeout(() => poll(url), 5000); });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => { show(data); poll(data.status_url); })
      .catch(() => form.submit());
  });

  if (status.dataset.statusUrl) poll(status.dataset.statusUrl);
})();

// A wide table scrolls sideways inside its .table-wrap (on a phone, most do): while it
// does, the wrapper is a focusable region named by the table's caption or the heading
// before it, so a keyboard can reach it and scroll it with the arrows.
(function () {
  "use strict";
  const wraps = [...document.querySelectorAll(".report .table-wrap")];
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
