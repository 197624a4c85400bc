// Draws every <div data-chart="chart-KEY"> with the ECharts option found in <script id="KEY" type="application/json">.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart.replace(/^chart-/, ""));
    if (!source) return;
    var chart = window.echarts.init(el);
    chart.setOption(JSON.parse(source.textContent));
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
