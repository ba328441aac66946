// Burn-up chart of the enrollment campaign. Data comes from the JSON island #burnup-data
// (rendered by Django's json_script), so the page needs no inline script.
(function () {
  "use strict";

  function draw() {
    var box = document.getElementById("burnup");
    var island = document.getElementById("burnup-data");
    if (!box || !island) { return; }
    var data = JSON.parse(island.textContent);
    var text = data.text || {};  // the words, in the page's language
    if (typeof window.echarts === "undefined") {
      box.textContent = text.no_charts || "图表组件未安装（ECharts），请参阅下方表格。";
      box.classList.add("chart-missing");
      return;
    }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    var marks = [];
    if (data.today_index !== null) {
      marks.push({ xAxis: data.days[data.today_index], label: { formatter: text.today || "今天" }, lineStyle: { color: "#b42318" } });
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 70, right: 70, top: 40, bottom: 40 },
      xAxis: { type: "category", data: data.days, boundaryGap: false,
               axisLabel: { formatter: function (v) { return v.slice(5); } } },
      yAxis: [
        { type: "value", name: text.people_axis || "人数", min: 0 },
        { type: "value", name: text.units_axis || "单位", min: 0, splitLine: { show: false } }
      ],
      series: [
        { name: text.people || "累计参互人数", type: "line", data: data.people, connectNulls: true, showSymbol: false,
          areaStyle: { opacity: 0.12 }, itemStyle: { color: "#175cd3" },
          markLine: { symbol: "none", data: marks } },
        { name: text.units || "累计参互单位", type: "line", yAxisIndex: 1, data: data.units, connectNulls: true,
          showSymbol: false, itemStyle: { color: "#027a48" } },
        { name: text.people_target || "目标人数", type: "line", data: data.days.map(function () { return data.people_target; }),
          showSymbol: false, lineStyle: { type: "dashed" }, itemStyle: { color: "#b42318" } },
        { name: text.people_last_year || "上年人数", type: "line", data: data.days.map(function () { return data.people_last_year; }),
          showSymbol: false, lineStyle: { type: "dotted" }, itemStyle: { color: "#616e7c" } },
        { name: text.units_target || "目标单位", type: "line", yAxisIndex: 1,
          data: data.days.map(function () { return data.units_target; }),
          showSymbol: false, lineStyle: { type: "dashed" }, itemStyle: { color: "#b54708" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
