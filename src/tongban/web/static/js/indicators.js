// 绩效指标: draws the charts from the figures the page carries in #indicators-data (a JSON data block, not
// executed, so the CSP's script-src 'self' allows it). Without JavaScript the page keeps its tables; the
// charts stay hidden. One indicator at a time, chosen in #indicator-choice, its definition shown beside it.
(function () {
  "use strict";
  var source = document.getElementById("indicators-data");
  var section = document.getElementById("indicator-charts");
  var choice = document.getElementById("indicator-choice");
  var note = document.getElementById("indicator-definition");
  if (!source || !section || !choice || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  section.hidden = false;
  var BLUE = "#1d4fa8", ORANGE = "#d46b08";
  var defs = {};
  data.definitions.forEach(function (d) { defs[d.code] = d; });

  function make(name, height) {
    var el = section.querySelector('[data-chart="' + name + '"]');
    el.style.height = height + "px";  // CSSOM, not a style attribute: allowed by style-src 'self'
    el.style.width = "100%";
    return window.echarts.init(el, null, { renderer: "canvas" });
  }
  var groups = make("groups", Math.max(200, 48 + data.groups.length * 28));
  var months = make("months", 300);

  function unit(d) { return d.unit === "percent" ? "%" : d.unit_label; }

  function draw() {
    var d = defs[choice.value];
    note.textContent = d.name + "：" + d.formula + "。口径：" + d.scope;
    var rows = data.groups.slice().reverse();
    groups.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 16, right: 56, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: unit(d) },
      yAxis: { type: "category", axisLabel: { width: 220, overflow: "truncate" },
               data: rows.map(function (g) { return g.name; }) },
      series: [{ name: d.name, type: "bar", color: BLUE, label: { show: true, position: "right" },
                 data: rows.map(function (g) { return g.values[d.code]; }) }]
    }, true);
    months.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 56, right: 24, top: 32, bottom: 40 },
      xAxis: { type: "category", data: data.months.map(function (m) { return m.name; }) },
      yAxis: { type: "value", name: unit(d) },
      series: [{ name: d.name, type: "line", color: ORANGE, connectNulls: false,
                 data: data.months.map(function (m) { return m.values[d.code]; }) }]
    }, true);
  }
  choice.addEventListener("change", draw);
  draw();
  window.addEventListener("resize", function () { groups.resize(); months.resize(); });
})();
