// Show-if rules and single submission for survey forms. Without JavaScript every question
// is shown with a hint, and the server ignores answers to questions that do not apply.
(function () {
  "use strict";
  const form = document.querySelector("form[data-survey]");
  if (!form) return;

  function chosen(code) {
    return Array.from(form.querySelectorAll(`[name="${CSS.escape(code)}"]:checked`)).map((el) => el.value);
  }

  function update() {
    form.querySelectorAll("[data-show-if]").forEach((fieldset) => {
      const source = document.getElementById(`q-${fieldset.dataset.showIf}`);
      const wanted = fieldset.dataset.showIfValues.split(",");
      const visible = (!source || !source.hidden) && chosen(fieldset.dataset.showIf).some((v) => wanted.includes(v));
      fieldset.hidden = !visible;
      fieldset.disabled = !visible;
      const hint = fieldset.querySelector(".show-if-hint");
      if (hint) hint.hidden = true;
    });
  }

  form.addEventListener("change", update);
  update();

  form.addEventListener("submit", (event) => {
    if (form.hasAttribute("data-preview")) { event.preventDefault(); return; }
    const button = event.submitter;
    if (button && button.hasAttribute("data-once")) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      // Keep the button's value in the request although it is disabled.
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
      form.appendChild(hidden);
      setTimeout(() => { button.disabled = true; }, 0);
    }
  });

  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
