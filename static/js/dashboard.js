// Live fieldwork dashboard: refetch the summary every few seconds and update the page.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const url = root.dataset.url;

  function lookup(data, key) {
    return key.split(".").reduce((value, part) => (value == null ? value : value[part]), data);
  }

  function format(value, kind) {
    if (value == null) return "—";
    if (kind === "percent") return `${Math.round(value * 100)}%`;
    if (kind === "duration") return `${Math.round(value)} s`;
    return String(value);
  }

  function cell(tag, text, cls) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  // A quota cell names regions as the deliberation wrote them: on an English page, each
  // Korean stretch of its label is marked lang="ko" (as the server marks it).
  const HANGUL_RUN = /\d*[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3](?:[^A-Za-z]*[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3)\]])?/g;
  function dataCell(tag, text) {
    const el = document.createElement(tag);
    const value = String(text);
    if ((document.documentElement.lang || "ko").startsWith("ko")) {
      el.textContent = value;
      return el;
    }
    let end = 0;
    for (const run of value.matchAll(HANGUL_RUN)) {
      el.append(value.slice(end, run.index));
      const span = document.createElement("span");
      span.lang = "ko";
      span.textContent = run[0];
      el.append(span);
      end = run.index + run[0].length;
    }
    el.append(value.slice(end));
    return el;
  }

  function render(data) {
    root.querySelectorAll("[data-key]").forEach((el) => {
      if (el.dataset.key === "updated") {
        el.textContent = new Date().toLocaleTimeString();
        return;
      }
      el.textContent = format(lookup(data, el.dataset.key), el.dataset.format);
    });
    const rows = document.getElementById("quota-rows");
    if (rows && data.quotas.length) {
      rows.replaceChildren(...data.quotas.map((q) => {
        const tr = document.createElement("tr");
        const pct = q.target ? Math.min(100, Math.round((100 * q.completes) / q.target)) : 100;
        const bar = document.createElement("progress");
        bar.className = q.full ? "bar full" : "bar";
        bar.max = Math.max(1, q.target);
        bar.value = Math.min(q.completes, bar.max);
        bar.setAttribute("aria-label", `${pct}%`);
        bar.textContent = `${pct}%`;
        const td = document.createElement("td");
        td.appendChild(bar);
        tr.append(dataCell("th", q.cell), cell("td", q.completes, "num"), cell("td", q.target, "num"), td);
        tr.firstChild.scope = "row";
        return tr;
      }));
    }
  }

  async function refresh() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) render(await response.json());
    } catch (error) {
      // The next tick tries again; a dashboard must survive a network blip.
    }
  }

  setInterval(refresh, 5000);
})();
