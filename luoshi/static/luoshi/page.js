// Behaviour that used to be inline (javascript: links, style attributes), for the Content-Security-Policy.
(function () {
  "use strict";
  function widths(root) {
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, Number(el.getAttribute("data-progress")) || 0)) + "%";
    });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-action]");
    if (!link) return;
    var action = link.getAttribute("data-action");
    if (action === "back" && window.history.length > 1) { event.preventDefault(); window.history.back(); }
    if (action === "print") { event.preventDefault(); window.print(); }
  });
  // An element marked data-redraw redraws part of its form itself (htmx on "change"); its "input" event must not
  // also fire the form's live update (that answer would carry the stale part). A trigger filter would say this in
  // the template, but filters need eval, which the Content-Security-Policy forbids.
  document.addEventListener("input", function (event) {
    if (event.target && event.target.closest && event.target.closest("[data-redraw]")) event.stopPropagation();
  }, true);
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:afterSwap", function (event) { widths(event.target); });
})();
