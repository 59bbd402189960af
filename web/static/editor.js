// Editor console enhancements; every page works without this file.
"use strict";
(function () {
  // Focusing or clicking a condition darkens its span(s) in the policy text
  // and scrolls the text to it.
  function show(id, scroll) {
    document.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
    document.querySelectorAll(".atom.active").forEach(function (a) { a.classList.remove("active"); });
    var first = null;
    document.querySelectorAll("mark[data-atoms]").forEach(function (m) {
      if (m.dataset.atoms.split(" ").indexOf(id) >= 0) {
        m.classList.add("active");
        if (!first) { first = m; }
      }
    });
    var atom = document.getElementById("a-" + id);
    if (atom) { atom.classList.add("active"); }
    if (first && scroll) { first.scrollIntoView({ block: "center" }); }
  }
  document.querySelectorAll(".atom[data-atom]").forEach(function (a) {
    a.addEventListener("focus", function () { show(a.dataset.atom, false); });
    a.addEventListener("click", function (e) {
      if (e.target.closest("a.edit")) { return; }
      if (e.target.closest("a.srclink")) { e.preventDefault(); }
      show(a.dataset.atom, true);
    });
  });
  // Clicking marked text shows the conditions read from it.
  document.querySelectorAll("mark[data-atoms]").forEach(function (m) {
    m.addEventListener("click", function () {
      var id = m.dataset.atoms.split(" ")[0];
      show(id, false);
      var atom = document.getElementById("a-" + id);
      if (atom) { atom.scrollIntoView({ block: "center" }); }
    });
  });
  if (location.hash.indexOf("#a-") === 0) { show(location.hash.slice(3), true); }
  if (location.hash.indexOf("#s-") === 0) { show(location.hash.slice(3), true); }
  // The condition form offers the operators and suggested values of the
  // chosen field.
  var field = document.getElementById("field");
  var op = document.getElementById("op");
  var value = document.getElementById("value");
  var hint = document.getElementById("value-options");
  function followField() {
    var opt = field.options[field.selectedIndex];
    var ops = (opt.dataset.ops || "").split(" ");
    var firstOK = null;
    Array.prototype.forEach.call(op.options, function (o) {
      o.disabled = ops.indexOf(o.value) < 0;
      if (!o.disabled && firstOK === null) { firstOK = o.value; }
    });
    if (op.options[op.selectedIndex].disabled && firstOK !== null) { op.value = firstOK; }
    var list = opt.dataset.list;
    if (list) { value.setAttribute("list", list); } else { value.removeAttribute("list"); }
    if (hint) {
      var dl = list && document.getElementById(list);
      if (dl) {
        hint.textContent = "可选值：" + Array.prototype.map.call(dl.options, function (o) { return o.value; }).join("、");
        hint.hidden = false;
      } else {
        hint.hidden = true;
      }
    }
  }
  if (field && op && value) {
    field.addEventListener("change", followField);
    followField();
  }
  // Publish and retract ask once more.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
    });
  });
})();
