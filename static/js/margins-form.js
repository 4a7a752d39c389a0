// The margins form: each feature's running total of shares, announced as it changes.
(function () {
  "use strict";
  function update(fieldset) {
    var output = document.getElementById(fieldset.dataset.featureSum);
    if (!output) return;
    var total = 0;
    var any = false;
    fieldset.querySelectorAll("input.share-input").forEach(function (input) {
      var value = parseFloat(String(input.value).replace(",", "."));
      if (!isNaN(value)) {
        total += value;
        any = true;
      }
    });
    var tolerance = parseFloat(output.dataset.tolerance) || 0.5;
    var off = any && Math.abs(total - 100) > tolerance;
    output.textContent = any ? total.toFixed(1) + "%" + (off ? " — " + output.dataset.off : "") : "—";
    output.classList.toggle("sum-off", off);
    output.classList.toggle("sum-ok", any && !off);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-feature-sum]").forEach(function (fieldset) {
      fieldset.addEventListener("input", function () { update(fieldset); });
      update(fieldset);
    });
  });
})();
