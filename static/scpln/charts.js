/*
 * scpln charts — line and bar charts from JSON that a template embeds with json_script.
 *
 * API: scplnChart(canvasId, dataScriptId) → the Chart.js chart (or null when
 * Chart.js, the canvas or the data is missing). Calling it again for the
 * same canvas replaces the chart. Every <canvas data-chart="<script id>"> on
 * the page is drawn when the page has loaded, so templates rarely call it.
 *
 * Template:
 *   {{ chart|json_script:"balance-data" }}
 *   <figure class="chart">
 *     <canvas id="balance-chart" data-chart="balance-data" role="img"
 *             aria-label="{% translate 'Demand, supply and inventory by week' %}"></canvas>
 *   </figure>
 *   {% block scripts %}
 *   <script src="{% static 'vendor/chartjs/chart.umd.min.js' %}" defer></script>
 *   <script src="{% static 'scpln/charts.js' %}" defer></script>
 *   {% endblock scripts %}
 * Give the same numbers as a table too (or a CSV link): a canvas is not read
 * out by screen readers.
 *
 * Data (every key but "labels" and "datasets" optional):
 *   {
 *     "type": "line",                       // or "bar": the default for datasets
 *     "labels": ["2025-W01", "2025-W02"],   // the x axis
 *     "datasets": [
 *       {"label": "Demand", "data": [10, 12]},
 *       {"label": "Inventory", "data": [5, null], "type": "bar", "axis": "y2",
 *        "color": "#0072b2", "dashed": true, "fill": false, "stack": "s1"}
 *     ],
 *     "x": {"title": "Week"},
 *     "y": {"title": "Units", "min": 0, "stacked": false},
 *     "y2": {"title": "Utilisation"},        // a right-hand axis for datasets with "axis": "y2"
 *     "title": "…"
 *   }
 * Colours default to the Okabe–Ito palette, which stays distinguishable with
 * colour-vision deficiencies. Long series draw without points or animation.
 */
(function () {
  "use strict";

  var PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a6f00", "#000000"];

  function withAlpha(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function axis(spec, position) {
    spec = spec || {};
    var out = {
      position: position,
      stacked: !!spec.stacked,
      title: { display: !!spec.title, text: spec.title || "" },
      ticks: {}
    };
    if (spec.min !== undefined) out.min = spec.min;
    if (spec.max !== undefined) out.max = spec.max;
    return out;
  }

  function scplnChart(canvasId, dataScriptId) {
    var canvas = document.getElementById(canvasId);
    var script = document.getElementById(dataScriptId);
    if (!canvas || !script || typeof window.Chart === "undefined") return null;
    var spec;
    try {
      spec = JSON.parse(script.textContent);
    } catch (e) {
      return null;
    }
    var type = spec.type || "line";
    var points = (spec.labels || []).length;
    var datasets = (spec.datasets || []).map(function (ds, i) {
      var color = ds.color || PALETTE[i % PALETTE.length];
      var dsType = ds.type || type;
      var out = {
        label: ds.label,
        data: ds.data,
        type: dsType,
        borderColor: color,
        backgroundColor: dsType === "bar" || ds.fill ? withAlpha(color, 0.55) : color,
        borderWidth: dsType === "bar" ? 1 : 2,
        fill: !!ds.fill,
        pointRadius: points > 60 ? 0 : 2,
        tension: 0,
        spanGaps: true
      };
      if (ds.dashed) out.borderDash = [6, 4];
      if (ds.axis === "y2") out.yAxisID = "y2";
      if (ds.stack) out.stack = ds.stack;
      return out;
    });
    var scales = { x: axis(spec.x, "bottom"), y: axis(spec.y, "left") };
    if (spec.y2) {
      scales.y2 = axis(spec.y2, "right");
      scales.y2.grid = { drawOnChartArea: false };
    }
    var existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    return new window.Chart(canvas, {
      type: type,
      data: { labels: spec.labels || [], datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: points > 500 ? false : { duration: 300 },
        locale: document.documentElement.lang || undefined,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          title: { display: !!spec.title, text: spec.title || "" }
        }
      }
    });
  }

  window.scplnChart = scplnChart;

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.id) scplnChart(canvas.id, canvas.dataset.chart);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
