// The HTML report's stylesheet and script, inlined into every report: the
// page must work from a file, offline. Plain ES2017 for any browser; it never
// uses template literals, so it can live in one here. The browser test
// (test/integration/cli-html-browser.test.ts) is what checks it.

export const kStyles = String.raw`
:root { --fg: #1d2330; --muted: #5d6678; --line: #e3e6ec; --sel: #fff4d6; --accent: #d9480f; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fbfbfd; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 26px 0 8px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
#summary { margin: 0; font-size: 15px; }
#command { margin: 2px 0 0; color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
#legend select { font: inherit; margin-left: 4px; }
#legend { align-items: center; display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-bottom: 6px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
#timeline-box { position: relative; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px 0; }
#timeline { display: block; width: 100%; height: 170px; }
#timeline rect.bar { cursor: pointer; }
#timeline rect.unfinished { stroke: #c92a2a; stroke-width: 1.5; }
#timeline text { font-size: 11px; fill: var(--muted); }
#timeline line.tick { stroke: var(--line); }
#tip { position: absolute; pointer-events: none; background: #1d2330; color: #fff; padding: 5px 8px; border-radius: 4px; font-size: 12px; white-space: nowrap; z-index: 2; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 12px; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #f4f6fa; }
tbody tr.selected { background: var(--sel); }
td.culprit { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.share { display: block; height: 3px; background: var(--accent); border-radius: 2px; margin-top: 3px; margin-left: auto; }
.tag { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 3px; background: #eef0f4; color: var(--muted); margin-right: 4px; font-family: system-ui, sans-serif; }
.tag.bad { background: #ffe3e3; color: #c92a2a; }
.chip { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; color: #fff; margin: 0 3px 2px 0; }
.hint { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
#flame { position: relative; background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
#flame .node { position: absolute; height: 19px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 11.5px/19px ui-monospace, Menlo, Consolas, monospace; padding: 0 4px; border-right: 1px solid #fff; border-bottom: 1px solid #fff; cursor: pointer; color: #1d2330; }
#flame .node:hover { filter: brightness(0.92); }
#stacks pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0 0 10px; font-size: 12px; overflow-x: auto; }
#stacks .internal { color: #9aa1ad; }
#stacks .count { color: var(--muted); font-size: 12px; margin: 0 0 3px; }
`

export const kClientScript = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('loopwatch-data').textContent);
  var meta = data.meta;
  var palette = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f59f00', '#0ca678', '#d6336c', '#5c7cfa'];
  var grey = '#8d96a8';
  var colors = [];
  var next = 0;
  data.causes.forEach(function (name, i) { colors[i] = name === 'unknown' ? grey : palette[next++ % palette.length]; });
  // One cause for every block (all 'cpu', say) tells the bars nothing apart: colour by culprit then.
  var colorBy = data.causes.length > 1 ? 'cause' : 'culprit';
  function culpritColor(i) { return i < palette.length ? palette[i] : grey; }
  function barColor(i) { return colorBy === 'cause' ? colors[data.k[i]] : culpritColor(data.c[i]); }
  var selected = -1;

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function fmtMs(ms) {
    if (ms < 10000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    var m = Math.floor(ms / 60000);
    return m + ' m ' + Math.round((ms - m * 60000) / 1000) + ' s';
  }
  function fmtTotal(ms) { return ms < 1000 ? Math.round(ms) + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : fmtMs(ms); }
  function fmtTick(ms, step) {
    if (ms === 0 || ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 120000 || step < 60000) return (step % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(step % 100 === 0 ? 1 : 2)) + ' s';
    return fmtMs(ms);
  }
  function fmtSpan(ms) { return ms < 1000 ? Math.round(ms) + ' ms' : ms < 120000 ? Math.round(ms / 1000) + ' s' : fmtMs(ms); }
  function frameText(i) {
    var f = data.frames[i];
    return f[1] === '' ? f[0] + ' (native)' : f[0] + ' (' + f[1] + ':' + f[2] + ':' + f[3] + ')';
  }

  function renderSummary() {
    // Starved stalls (the machine's row: every one of its stalls is starved) are not blocks.
    var machine = data.culprits.filter(function (c) { return c.causes.starved === c.count; })[0];
    var blocks = meta.blocks - (machine ? machine.count : 0);
    var blocked = Math.max(0, meta.blockedTime - (machine ? machine.total : 0));
    var s = blocks === 0 ? 'no blocks over ' + fmtMs(meta.threshold) + ' in ' + fmtSpan(meta.duration)
      : blocks + (blocks === 1 ? ' block, ' : ' blocks, ') + fmtTotal(blocked) + ' blocked in ' + fmtSpan(meta.duration);
    if (blocks > 0 && meta.duration > 0) s += ' (' + (blocked / meta.duration * 100).toFixed(1) + '%)';
    if (machine) s += ' \u00b7 the machine stalled the loop ' + machine.count + (machine.count === 1 ? ' time, ' : ' times, ') + fmtTotal(machine.total);
    s += ' \u00b7 threshold ' + fmtMs(meta.threshold);
    if (meta.processes > 1) s += ' \u00b7 ' + meta.processes + ' processes';
    s += meta.signal ? ' \u00b7 ended by ' + meta.signal : meta.exitCode !== null ? ' \u00b7 exit code ' + meta.exitCode : '';
    $('summary').textContent = s;
    $('command').textContent = meta.command.join(' ') + ' \u00b7 ' + new Date(meta.startTime).toLocaleString();
    renderLegend();
  }
  function renderLegend() {
    var items = colorBy === 'cause'
      ? data.causes.map(function (name, i) { return [colors[i], name]; })
      : data.culprits.slice(0, palette.length).map(function (c, i) { return [culpritColor(i), c.culprit]; })
        .concat(data.culprits.length > palette.length ? [[grey, 'other culprits']] : []);
    $('legend').innerHTML = '<label>colour by <select id="color-by"><option value="cause"' + (colorBy === 'cause' ? ' selected' : '') +
      '>cause</option><option value="culprit"' + (colorBy === 'culprit' ? ' selected' : '') + '>culprit</option></select></label>' +
      items.map(function (item) {
        return '<span><span class="swatch" style="background:' + item[0] + '"></span>' + esc(item[1]) + '</span>';
      }).join('') + (meta.eventsDropped ? '<span>' + meta.eventsDropped + ' later blocks not drawn</span>' : '') +
      '<span>bar height: duration (log scale)</span>';
    $('color-by').onchange = function (e) { colorBy = e.target.value; renderLegend(); renderTimeline(); };
  }

  function renderTimeline() {
    var svg = $('timeline');
    var W = Math.max(300, svg.clientWidth || 900);
    var H = 170, plotH = 145;
    var n = data.t.length;
    var span = meta.duration, maxD = meta.threshold;
    for (var i = 0; i < n; i++) { span = Math.max(span, data.t[i] + data.d[i]); maxD = Math.max(maxD, data.d[i]); }
    span = Math.max(span, 1);
    var logMax = Math.log(Math.max(maxD / meta.threshold, 1.0001));
    var parts = [];
    var step = niceStep(span / 8);
    for (var x = 0; x <= span; x += step) {
      var px = (x / span * (W - 2)).toFixed(1);
      parts.push('<line class="tick" x1="' + px + '" x2="' + px + '" y1="0" y2="' + plotH + '"></line>');
      parts.push('<text x="' + px + '" y="' + (plotH + 16) + '" text-anchor="' + (x === 0 ? 'start' : 'middle') + '">' + fmtTick(x, step) + '</text>');
    }
    for (i = 0; i < n; i++) {
      var d = data.d[i];
      var h = 6 + (plotH - 6) * Math.min(1, Math.log(Math.max(d / meta.threshold, 1)) / logMax);
      var w = Math.max(1.5, d / span * (W - 2));
      parts.push('<rect class="bar' + (data.f[i] & 2 ? ' unfinished' : '') + '" data-i="' + i + '" data-c="' + data.c[i] + '" data-k="' + data.k[i] +
        '" x="' + (data.t[i] / span * (W - 2)).toFixed(1) + '" y="' + (plotH - h).toFixed(1) + '" width="' + w.toFixed(1) +
        '" height="' + h.toFixed(1) + '" fill="' + barColor(i) + '"></rect>');
    }
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.innerHTML = parts.join('') + '<style id="dim"></style>';
    updateDim();
  }
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log(Math.max(raw, 1)) / Math.LN10));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function updateDim() {
    var style = $('dim');
    if (style) style.textContent = selected < 0 ? '' : 'rect.bar:not([data-c="' + selected + '"]) { opacity: 0.18; }';
  }

  function renderTable() {
    var top = data.culprits.length ? data.culprits[0].total : 1;
    $('culprits').tBodies[0].innerHTML = data.culprits.map(function (c, i) {
      var causes = Object.keys(c.causes).map(function (name) {
        var k = data.causes.indexOf(name);
        return '<span class="chip" style="background:' + (k < 0 ? '#8d96a8' : colors[k]) + '">' + esc(name) + ' ' + c.causes[name] + '</span>';
      }).join('');
      var tags = (c.thread ? '<span class="tag">' + esc(c.thread) + '</span>' : '') +
        (c.startup ? '<span class="tag">startup</span>' : '') +
        (c.unfinished ? '<span class="tag bad">still running when the app ended</span>' : '') +
        (c.hangs ? '<span class="tag bad">' + c.hangs + (c.hangs === 1 ? ' hang' : ' hangs') + '</span>' : '');
      return '<tr data-c="' + i + '"><td class="num">' + c.count + '</td><td class="num">' + fmtTotal(c.total) +
        '<span class="share" style="width:' + Math.max(2, c.total / top * 60).toFixed(0) + 'px"></span></td><td class="num">' +
        fmtTotal(c.max) + '</td><td class="num">' + fmtTotal(c.p95) + '</td><td>' + causes + '</td><td class="culprit">' + tags +
        esc(c.culprit) + '</td></tr>';
    }).join('');
  }

  function select(i) {
    selected = i;
    var rows = $('culprits').tBodies[0].rows;
    for (var r = 0; r < rows.length; r++) rows[r].className = r === i ? 'selected' : '';
    updateDim();
    var c = data.culprits[i];
    if (!c) { $('detail').hidden = true; return; }
    $('detail').hidden = false;
    $('detail-title').textContent = (c.thread ? c.thread + ': ' : '') + c.culprit;
    renderFlame(buildTree(c.profile.length ? c.profile : c.stack.length ? [[c.stack, 1]] : []));
    renderStacks(c);
  }

  function buildTree(profile) {
    var root = { frame: -1, value: 0, children: {}, depth: 0 };
    profile.forEach(function (entry) {
      var stack = entry[0], count = entry[1], node = root;
      root.value += count;
      for (var j = stack.length - 1; j >= 0; j--) {
        var f = data.frames[stack[j]], key = f[0] + '\u0000' + f[1];
        var child = node.children[key];
        if (!child) child = node.children[key] = { frame: stack[j], value: 0, children: {} };
        child.value += count;
        node = child;
      }
    });
    return root;
  }
  var flameRoot = null;
  function renderFlame(root) {
    flameRoot = root;
    var box = $('flame');
    if (!root.value) { box.style.height = 'auto'; box.innerHTML = '<p class="hint" style="padding:8px">No stack samples for this culprit.</p>'; return; }
    drawFlame(root);
  }
  function drawFlame(zoom) {
    var box = $('flame'), parts = [], maxDepth = 0, nodes = [];
    function walk(node, depth, left) {
      var frac = node.value / zoom.value;
      if (frac < 0.002) return;
      maxDepth = Math.max(maxDepth, depth);
      nodes.push(node);
      var label = node.frame < 0 ? 'all samples (' + node.value + ')' : frameText(node.frame);
      var f = node.frame < 0 ? null : data.frames[node.frame];
      var color = !f ? '#dfe3ea' : f[4] ? '#e6e8ec' : f[1].indexOf('node_modules') >= 0 ? '#a5d8ff' : hue(f[0]);
      parts.push('<div class="node" data-n="' + (nodes.length - 1) + '" title="' + esc(label + ' \u2014 ' + node.value + ' samples, ' +
        (node.value / flameRoot.value * 100).toFixed(1) + '%') + '" style="top:' + depth * 20 + 'px;left:' + (left * 100).toFixed(3) +
        '%;width:' + (frac * 100).toFixed(3) + '%;background:' + color + '">' + esc(label) + '</div>');
      var x = left;
      Object.keys(node.children).forEach(function (k) {
        var child = node.children[k];
        walk(child, depth + 1, x);
        x += child.value / zoom.value;
      });
    }
    walk(zoom === flameRoot ? zoom : { frame: -1, value: zoom.value, children: { z: zoom } }, 0, 0);
    box.style.height = (maxDepth + 1) * 20 + 'px';
    box.innerHTML = parts.join('');
    box.onclick = function (e) {
      var el = e.target.closest('.node');
      if (!el) return;
      var node = nodes[Number(el.getAttribute('data-n'))];
      drawFlame(node.frame < 0 ? flameRoot : node);
    };
  }
  function hue(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
    return 'hsl(' + (20 + Math.abs(h) % 40) + ',85%,' + (68 + Math.abs(h >> 8) % 12) + '%)';
  }
  function stackHtml(stack) {
    return stack.map(function (i) {
      return '<span class="' + (data.frames[i][4] ? 'internal' : '') + '">    at ' + esc(frameText(i)) + '</span>';
    }).join('\n');
  }
  function renderStacks(c) {
    var html = '<p class="count">The longest block, ' + fmtTotal(c.max) + '</p><pre>' + (c.stack.length ? stackHtml(c.stack) : '(no stack sampled)') + '</pre>';
    var total = c.profile.reduce(function (n, p) { return n + p[1]; }, 0);
    c.profile.slice(0, 10).forEach(function (p) {
      html += '<p class="count">' + p[1] + (p[1] === 1 ? ' sample' : ' samples') + ' (' + (p[1] / total * 100).toFixed(0) + '%)</p><pre>' + stackHtml(p[0]) + '</pre>';
    });
    if (c.profile.length > 10) html += '<p class="count">' + (c.profile.length - 10) + ' more distinct stacks</p>';
    $('stacks').innerHTML = html;
  }

  function showTip(e) {
    var el = e.target.closest && e.target.closest('rect.bar');
    var tip = $('tip');
    if (!el) { tip.hidden = true; return; }
    var i = Number(el.getAttribute('data-i'));
    var c = data.culprits[data.c[i]];
    tip.textContent = fmtMs(data.d[i]) + ' at ' + fmtSpan(data.t[i]) + ' \u00b7 ' + data.causes[data.k[i]] + ' \u00b7 ' + (c ? (c.thread ? c.thread + ': ' : '') + c.culprit : '') +
      (data.f[i] & 2 ? ' \u00b7 still running when the app ended' : '');
    var box = $('timeline-box').getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX - box.left + 12, box.width - tip.offsetWidth - 4) + 'px';
    tip.style.top = (e.clientY - box.top + 14) + 'px';
  }

  renderSummary();
  renderTimeline();
  renderTable();
  $('timeline').addEventListener('mousemove', showTip);
  $('timeline').addEventListener('mouseleave', function () { $('tip').hidden = true; });
  $('timeline').addEventListener('click', function (e) {
    var el = e.target.closest('rect.bar');
    if (el) select(Number(el.getAttribute('data-c')));
  });
  $('culprits').tBodies[0].addEventListener('click', function (e) {
    var row = e.target.closest('tr');
    if (row) select(Number(row.getAttribute('data-c')));
  });
  var resizeTimer = 0;
  window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(renderTimeline, 150); });
  if (data.culprits.length) select(0);
  document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
})();
`
