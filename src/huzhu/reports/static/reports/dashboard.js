// Dashboard charts (ECharts, served locally). Data comes from the JSON island #report-data
// rendered by Django's json_script, so the page needs no inline script (CSP).
(function () {
  "use strict";

  var COLORS = ["#b42318", "#175cd3", "#027a48", "#b54708", "#6941c6", "#616e7c", "#0e9384", "#c11574", "#4e5ba6"];

  var text = {};  // the words, in the page's language (from the data island)

  function chart(id) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    if (typeof window.echarts === "undefined") {
      box.textContent = text.no_charts || "图表组件未安装（ECharts），请参阅下方表格。";
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
    text = data.text || {};
    var covered = text.covered || "参互人次", cumulative = text.cumulative || "累计参互人次";
    var benefit = text.benefit || "补助金（元）", median = text.median || "中位数", p90 = text.p90 || "90%分位";
    var c;
    if ((c = chart("chart-years"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "axis" },
        legend: { top: 0, data: [covered, cumulative, benefit] },
        grid: { left: 80, right: 90, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.years },
        yAxis: [{ type: "value", name: text.person_times || "人次" },
                { type: "value", name: text.yuan || "元", splitLine: { show: false } }],
        series: [
          { name: covered, type: "bar", data: data.covered },
          { name: cumulative, type: "line", data: data.cumulative },
          { name: benefit, type: "line", yAxisIndex: 1, data: data.benefit, lineStyle: { type: "dashed" } }
        ]
      });
    }
    if ((c = chart("chart-children"))) {
      c.setOption({
        animation: false, color: COLORS, tooltip: { trigger: "axis" },
        legend: { top: 0, data: [covered, benefit] },
        grid: { left: 80, right: 90, top: 40, bottom: 90 },
        xAxis: { type: "category", data: names(data.children), axisLabel: { rotate: 40, interval: 0 } },
        yAxis: [{ type: "value", name: text.person_times || "人次" },
                { type: "value", name: text.yuan || "元", splitLine: { show: false } }],
        series: [
          { name: covered, type: "bar", data: data.children.map(function (r) { return r.covered; }) },
          { name: benefit, type: "bar", yAxisIndex: 1, data: data.children.map(function (r) { return r.benefit; }) }
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
        animation: false, color: COLORS, tooltip: { trigger: "axis" }, legend: { top: 0, data: [median, p90] },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: names(data.steps) }, yAxis: { type: "value", name: text.days || "天" },
        series: [
          { name: median, type: "bar", data: data.steps.map(function (r) { return r.median; }) },
          { name: p90, type: "bar", data: data.steps.map(function (r) { return r.p90; }) }
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
        series: [{ type: "pie", radius: "60%", data: data.tiers, label: { formatter: "{b}\n{c} " + (text.claims || "件") } }]
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
