// Draws every [data-chart] with the ECharts option in <script id=KEY type=application/json>; dark theme and
// larger text on the big screen (body.screen), which also reloads itself every data-refresh seconds.
(function () {
  function draw() {
    if (!window.echarts) return;
    var dark = document.body.classList.contains("screen");
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option = JSON.parse(source.textContent);
      if (dark) {
        option.backgroundColor = "transparent";
        option.textStyle = { fontSize: 20 };
        if (option.legend) option.legend.textStyle = { fontSize: 18, color: "#cfd8e3" };
      }
      var chart = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
    document.body.dataset.chartsDrawn = "1";
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw();
    var every = parseInt(document.body.dataset.refresh || "0", 10);
    if (every > 0) setTimeout(function () { window.location.reload(); }, every * 1000);
  });
})();
