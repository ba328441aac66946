// Charts of an actuarial study. Data comes from the JSON island #study-charts (Django's
// json_script), so the page needs no inline script (CSP).
(function () {
  "use strict";
  var COLOURS = ["#175cd3", "#f79009", "#027a48", "#b42318"];

  var text = {};  // the words, in the page's language (from the data island)

  function option(chart) {
    var stacked = !!chart.stacked;
    var series = chart.series.map(function (pair, index) {
      var s = { name: pair[0], type: "bar", data: pair[1], itemStyle: { color: COLOURS[index % COLOURS.length] } };
      if (stacked) { s.stack = "total"; }
      if (chart.marker !== null && chart.marker !== undefined && index === 0) {
        s.markLine = { symbol: "none", data: [{ xAxis: chart.marker, label: { formatter: chart.marker_label } }],
                       lineStyle: { color: "#b42318", type: "dashed" } };
      }
      return s;
    });
    if (chart.intervals) {
      series.push({ name: text.low || "区间下限", type: "line", data: chart.intervals.map(function (p) { return p[0]; }),
                    lineStyle: { opacity: 0 }, symbol: "triangle", symbolSize: 7, itemStyle: { color: "#101828" } });
      series.push({ name: text.high || "区间上限", type: "line", data: chart.intervals.map(function (p) { return p[1]; }),
                    lineStyle: { opacity: 0 }, symbol: "triangle", symbolRotate: 180, symbolSize: 7,
                    itemStyle: { color: "#101828" } });
    }
    return {
      animation: false,
      title: { text: chart.title, left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      legend: { top: 28, right: 0 },
      grid: { left: 70, right: 20, top: 60, bottom: 70 },
      xAxis: { type: "category", data: chart.labels, axisLabel: { rotate: chart.labels.length > 6 ? 35 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: "{value}" + (chart.unit || "") } },
      series: series
    };
  }

  function draw() {
    var island = document.getElementById("study-charts");
    var holder = document.getElementById("charts");
    if (!island || !holder) { return; }
    var island_data = JSON.parse(island.textContent);
    text = island_data.text || {};
    island_data.charts.forEach(function (chart) {
      var box = document.createElement("div");
      box.className = "chart";
      holder.appendChild(box);
      if (typeof window.echarts === "undefined") {
        box.textContent = text.no_charts || "图表组件未安装（ECharts），请参阅下方表格。";
        box.classList.add("chart-missing");
        return;
      }
      var instance = window.echarts.init(box, null, { renderer: "svg" });
      instance.setOption(option(chart));
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
