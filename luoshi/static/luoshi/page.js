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
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:afterSwap", function (event) { widths(event.target); });
})();
