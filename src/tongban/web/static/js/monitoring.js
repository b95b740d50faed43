// 共享交换监测: draws the charts from the statistics the page carries in #monitoring-data
// (a JSON data block, not executed, so the CSP's script-src 'self' allows it). Without
// JavaScript the page keeps its server-rendered tiles and tables; the charts stay hidden.
(function () {
  "use strict";
  var source = document.getElementById("monitoring-data");
  var section = document.getElementById("monitoring-charts");
  if (!source || !section || typeof window.echarts === "undefined") {
    return;
  }
  var stats = JSON.parse(source.textContent);
  section.hidden = false;

  var RED = "#c8102e", BLUE = "#1d4fa8", ORANGE = "#d46b08", GREY = "#8a9099";
  var labels = stats.series.map(function (p) { return p.label; });
  var charts = [];

  function chart(name, height, option) {
    var el = section.querySelector('[data-chart="' + name + '"]');
    el.style.height = height + "px";  // CSSOM, not a style attribute: allowed by style-src 'self'
    el.style.width = "100%";
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function ms(value) { return value === null || value === undefined ? "—" : value + " ms"; }

  chart("calls", 320, {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: ["调用次数", "拒绝", "系统错误"] },
    grid: { left: 56, right: 24, top: 40, bottom: 56 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", minInterval: 1 },
    dataZoom: labels.length > 48 ? [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }] : [],
    series: [
      { name: "调用次数", type: "line", showSymbol: false, color: BLUE, areaStyle: { opacity: 0.12 },
        data: stats.series.map(function (p) { return p.calls; }) },
      { name: "拒绝", type: "line", showSymbol: false, color: ORANGE,
        data: stats.series.map(function (p) { return p.denied; }) },
      { name: "系统错误", type: "line", showSymbol: false, color: RED,
        data: stats.series.map(function (p) { return p.errors; }) }
    ]
  });

  chart("latency", 300, {
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: ms },
    legend: { data: ["p50", "p95", "p99"] },
    grid: { left: 56, right: 24, top: 40, bottom: 56 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", name: "毫秒" },
    dataZoom: labels.length > 48 ? [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }] : [],
    series: ["p50", "p95", "p99"].map(function (q, i) {
      return { name: q, type: "line", showSymbol: false, connectNulls: false, color: [BLUE, ORANGE, RED][i],
               data: stats.series.map(function (p) { return p.latency[q + "_ms"]; }) };
    })
  });

  var top = stats.top_consumers.slice().reverse();
  chart("consumers", Math.max(160, 48 + top.length * 32), {
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 16, right: 40, top: 16, bottom: 24, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", axisLabel: { width: 260, overflow: "truncate" },
             data: top.map(function (c) { return c.department_name + " · " + c.client_name; }) },
    series: [{ name: "调用次数", type: "bar", color: GREY, label: { show: true, position: "right" },
               data: top.map(function (c) { return c.calls; }) }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
