// Review page: clicking a measure scrolls the source to its passage and the other way round;
// the split button takes the caret position in the measure text.
(function () {
  "use strict";
  function activate(id, from) {
    document.querySelectorAll(".source-text mark.active, .measure.active").forEach(function (el) {
      el.classList.remove("active");
    });
    var mark = document.getElementById("src-" + id);
    var row = document.getElementById("m-" + id);
    if (mark) {
      mark.classList.add("active");
      if (from !== "source") mark.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    if (row) {
      row.classList.add("active");
      if (from !== "ledger") row.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var mark = target.closest(".source-text mark[data-measure]");
    if (mark) { activate(mark.dataset.measure, "source"); return; }
    if (target.closest("button, a, input, select, textarea, form, label")) return;
    var row = target.closest(".measure[data-measure]");
    if (row) activate(row.dataset.measure, "ledger");
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("split-form")) return;
    var article = form.closest(".measure");
    var textarea = article ? article.querySelector("textarea[name=text]") : null;
    var at = textarea ? textarea.selectionStart : 0;
    if (!at) {
      event.preventDefault();
      window.alert("请先在“举措内容”中点击要拆分的位置。");
      return;
    }
    form.querySelector("input[name=at]").value = String(at);
  });
})();
