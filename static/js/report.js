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

