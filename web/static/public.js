// Public pages: small progressive enhancements only; every page works
// without this file.
"use strict";
(function () {
  // Calculator: show only the fieldset of the chosen kind of subject. The
  // hidden one is disabled so its controls are neither submitted nor reached
  // by the keyboard.
  var radios = document.querySelectorAll('form.calc input[name="kind"]');
  function showKind() {
    var kind = "";
    radios.forEach(function (r) { if (r.checked) { kind = r.value; } });
    document.querySelectorAll("form.calc fieldset.facts-form").forEach(function (fs) {
      var off = kind !== "" && fs.getAttribute("data-kind") !== kind;
      fs.hidden = off;
      fs.disabled = off;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", showKind); });
  if (radios.length) { showKind(); }
  // Search on a phone: once there are results, fold the filters so the
  // first result is on the first screen; 筛选条件 opens them again.
  var filters = document.querySelector("details.filters");
  if (filters && document.querySelector(".result-count") && window.matchMedia("(max-width: 600px)").matches) {
    filters.open = false;
  }
  // A "去填写" link lands on a control: put the cursor in it.
  if (location.hash.length > 1) {
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    // The results heading (tabindex -1) takes focus too, so a screen
    // reader starts reading the answer after a calculation.
    if (el && (/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) || el.id === "results")) { el.focus(); }
  }
})();
