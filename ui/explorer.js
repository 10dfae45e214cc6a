// The explorer's only script (served from /assets, no inline script): draws the charts with
// uPlot from each figure's data-chart attribute. Everything else works without it: every
// number is in the HTML, every control is a link or a form.
(function () {
  'use strict';

  var STYLES = [
    { stroke: '#1f5fbf', fill: 'rgba(31, 95, 191, 0.35)', dash: [] },
    { stroke: '#b3541e', fill: 'rgba(179, 84, 30, 0.15)', dash: [8, 4] },
    { stroke: '#2e7d32', fill: 'rgba(46, 125, 50, 0.15)', dash: [2, 3] },
  ];

  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + 'B';
    if (a >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (a >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    return String(Math.round(v * 100) / 100);
  }

  function usd(v) {
    if (v === null || v === undefined) return '–';
    var a = Math.abs(v);
    return '$' + (a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : a >= 0.01 ? v.toFixed(4) : v.toPrecision(2));
  }

  function draw(figure) {
    var spec;
    try {
      spec = JSON.parse(figure.getAttribute('data-chart'));
    } catch (e) {
      return;
    }
    var target = figure.querySelector('.plot');
    if (!target || !spec.x || spec.x.length === 0) return;
    var format = spec.unit === 'usd' ? usd : compact;
    var bars = spec.unit === 'usd' && window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
    var series = [{ label: 'Bucket start (UTC)' }];
    spec.series.forEach(function (s, i) {
      var style = STYLES[i % STYLES.length];
      series.push({
        label: s.label,
        stroke: style.stroke,
        width: 2,
        dash: style.dash,
        fill: bars ? style.fill : undefined,
        paths: bars,
        points: { show: spec.x.length < 60 },
        value: function (u, v) {
          return format(v);
        },
      });
    });
    var data = [spec.x].concat(
      spec.series.map(function (s) {
        return s.values;
      }),
    );
    var opts = {
      width: Math.max(260, target.clientWidth || figure.clientWidth || 600),
      height: 220,
      series: series,
      tzDate: function (ts) {
        return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
      },
      axes: [{}, { size: 64, values: function (u, vals) { return vals.map(format); } }],
      scales: { x: { time: true } },
      cursor: { focus: { prox: 16 } },
      legend: { live: true },
    };
    var plot = new window.uPlot(opts, data, target);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var w = Math.max(260, target.clientWidth);
        if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: 220 });
      }).observe(target);
    }
  }

  var more;

  function start() {
    if (window.uPlot) document.querySelectorAll('figure[data-chart]').forEach(draw);
    // On a phone the filter form would fill the first screen: folded until asked for (it is
    // open without the script, and the active filters stay listed below it).
    more = document.querySelector('details.filter-more');
    if (more && window.matchMedia && window.matchMedia('(max-width: 640px)').matches) more.open = false;
    // "/" jumps to the filters, as in many search UIs; typing in a field is left alone.
    document.addEventListener('keydown', function (e) {
      var t = e.target;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
      var first = document.querySelector('.filter-form input[name="user"]');
      if (first) {
        e.preventDefault();
        if (more) more.open = true;
        first.focus();
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
