// Risk trend chart: findings per month by severity, and the month's precision.
// Data comes from the JSON island #risk-trend-data (Django's json_script): no inline script.
(function () {
  "use strict";

  function draw() {
    var box = document.getElementById("risk-trend");
    var island = document.getElementById("risk-trend-data");
    if (!box || !island) { return; }
    var data = JSON.parse(island.textContent);
    var text = data.text || {};  // the words, in the page's language
    if (typeof window.echarts === "undefined") {
      box.textContent = text.no_charts || "图表组件未安装（ECharts），请参阅下方表格。";
      box.classList.add("chart-missing");
      return;
    }
    if (!data.months.length) {
      box.textContent = text.empty || "暂无风险提示。";
      box.classList.add("chart-missing");
      return;
    }
    var colours = ["#b42318", "#b54708", "#175cd3"];
    var series = data.series.map(function (s, i) {
      return { name: s.name, type: "bar", stack: "findings", data: s.data, itemStyle: { color: colours[i] } };
    });
    series.push({ name: text.precision || "准确率", type: "line", yAxisIndex: 1, data: data.precision, connectNulls: true,
                  itemStyle: { color: "#027a48" } });
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: text.findings_axis || "提示数", min: 0 },
        { type: "value", name: text.precision_axis || "准确率 %", min: 0, max: 100, splitLine: { show: false } }
      ],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
