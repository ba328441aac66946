// Dashboard charts (ECharts, served locally). Data comes from the JSON island #report-data
// rendered by Django's json_script, so the page needs no inline script (CSP).
(function () {
  "use strict";

  var COLORS = ["#b42318", "#175cd3", "#027a48", "#b54708", "#6941c6", "#616e7c", "#0e9384", "#c11574", "#4e5ba6"];

  function chart(id) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    if (typeof window.echarts === "undefined") {
      box.textContent = "图表组件未安装（ECharts），请参阅下方表格。";
      box.classList.add("chart-missing");
      return null;
    }
    var instance = window.echarts.init(box, null, { renderer: "svg" });
    window.addEventListener("resize", function () { instance.resize(); });
    return instance;
  }

  function names(rows) { return rows.map(function (r) { return r.name; }); }

  function draw() {
    var island = document.getElementById("report-data");
    if (!island) { return; }
    var data = JSON.parse(island.textContent);
    var c;
    if ((c = chart("chart-years"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["参互人次", "累计参互人次", "补助金（元）"] },
        grid: { left: 80, right: 90, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.years },
        yAxis: [{ type: "value", name: "人次" }, { type: "value", name: "元", splitLine: { show: false } }],
        series: [
          { name: "参互人次", type: "bar", data: data.covered },
          { name: "累计参互人次", type: "line", data: data.cumulative },
          { name: "补助金（元）", type: "line", yAxisIndex: 1, data: data.benefit, lineStyle: { type: "dashed" } }
        ]
      });
    }
    if ((c = chart("chart-children"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "axis" },
        legend: { top: 0, data: ["参互人次", "补助金（元）"] },
        grid: { left: 80, right: 90, top: 40, bottom: 90 },
        xAxis: { type: "category", data: names(data.children), axisLabel: { rotate: 40, interval: 0 } },
        yAxis: [{ type: "value", name: "人次" }, { type: "value", name: "元", splitLine: { show: false } }],
        series: [
          { name: "参互人次", type: "bar", data: data.children.map(function (r) { return r.covered; }) },
          { name: "补助金（元）", type: "bar", yAxisIndex: 1, data: data.children.map(function (r) { return r.benefit; }) }
        ]
      });
    }
    if ((c = chart("chart-statuses"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: data.statuses, label: { formatter: "{b}\n{c}" } }]
      });
    }
    if ((c = chart("chart-steps"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "axis" }, legend: { top: 0, data: ["中位数", "90%分位"] },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: names(data.steps) }, yAxis: { type: "value", name: "天" },
        series: [
          { name: "中位数", type: "bar", data: data.steps.map(function (r) { return r.median; }) },
          { name: "90%分位", type: "bar", data: data.steps.map(function (r) { return r.p90; }) }
        ]
      });
    }
    if ((c = chart("chart-diagnoses"))) {
      var rows = data.diagnoses.slice().reverse();
      c.setOption({
        animation: false, color: [COLORS[3]], tooltip: { trigger: "axis" },
        grid: { left: 150, right: 30, top: 10, bottom: 20 },
        xAxis: { type: "value" }, yAxis: { type: "category", data: names(rows) },
        series: [{ type: "bar", data: rows.map(function (r) { return r.value; }) }]
      });
    }
    if ((c = chart("chart-tiers"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "60%", data: data.tiers, label: { formatter: "{b}\n{c} 件" } }]
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
