// Poll a background job's status (a selection run, a poll import) until it finishes, then reload to show the results.
(function () {
  "use strict";
  const section = document.querySelector("[data-status-url]");
  if (!section) return;
  const url = section.dataset.statusUrl;
  const line = section.querySelector("[data-run-status]");
  const hint = section.querySelector("[data-run-hint]");
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        line.textContent = data.progress ? data.status_label + ": " + data.progress : data.status_label;
        if (hint) {
          hint.textContent = data.hint || "";
          hint.hidden = !data.hint;
        }
        if (data.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The network may drop for a moment; try again on the next tick.
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 1000);
})();
