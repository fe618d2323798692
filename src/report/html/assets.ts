/**
 * The HTML report's inline stylesheet and script: no network, no framework. The script only
 * toggles `hidden` on findings from the filter checkboxes (severity, environment, rule) and a
 * service picked in a graph; the findings themselves are rendered on the server side.
 *
 * Avoid `name = value` pairs with secret-looking names here: `maskSecrets` runs over the whole
 * page and would mask them.
 */
export const CSS = `
:root {
  --bg: #f6f7f9; --panel: #fff; --ink: #1c2430; --muted: #5f6b7a; --line: #dde2e8; --code: #f1f3f6;
  --critical: #8e1b1b; --high: #d92d20; --medium: #c26a00; --low: #1f6feb; --info: #6b7684; --none: #1a7f37;
  --critical-bg: #fbe3e3; --high-bg: #fdecea; --medium-bg: #fff3dc; --low-bg: #e5efff; --info-bg: #eef0f3; --none-bg: #e3f5e8;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
code { background: var(--code); padding: 0 4px; border-radius: 4px; }
a { color: var(--low); }
header.top { background: #111a27; color: #fff; padding: 20px 32px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top .sub { color: #b9c4d2; }
header.top .verdict { display: inline-block; margin-top: 10px; padding: 4px 12px; border-radius: 999px; font-weight: 600; }
.verdict.blocked { background: var(--high); color: #fff; }
.verdict.ready { background: var(--none); color: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 32px 60px; }
h2 { font-size: 18px; margin: 28px 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 14px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.card h3 { margin: 0 0 4px; font-size: 16px; display: flex; align-items: center; gap: 8px; }
.card .files { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
.tag { font-size: 11px; font-weight: 600; padding: 1px 8px; border-radius: 999px; background: var(--info-bg); color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.tag.prod { background: #111a27; color: #fff; }
.counts { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 8px 0; }
.chip { font-size: 12px; padding: 1px 8px; border-radius: 999px; font-weight: 600; }
.chip.zero { opacity: .35; }
.sev-critical .chip-fill, .chip.sev-critical { background: var(--critical-bg); color: var(--critical); }
.chip.sev-high { background: var(--high-bg); color: var(--high); }
.chip.sev-medium { background: var(--medium-bg); color: var(--medium); }
.chip.sev-low { background: var(--low-bg); color: var(--low); }
.chip.sev-info { background: var(--info-bg); color: var(--info); }
.blockers { font-weight: 600; margin: 0; }
.blockers.yes { color: var(--high); }
.blockers.no { color: var(--none); }
.graphs { display: grid; gap: 14px; }
.graph-panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; overflow-x: auto; }
.graph-panel h3 { margin: 0 0 6px; font-size: 15px; }
svg.graph { display: block; max-width: 100%; height: auto; }
svg.graph .node rect { stroke-width: 2; }
svg.graph .node { cursor: pointer; }
svg.graph .node:focus { outline: none; }
svg.graph .node:focus rect, svg.graph .node.picked rect { stroke-width: 4; }
svg.graph .node-name { font: 600 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-anchor: middle; dominant-baseline: middle; fill: var(--ink); }
svg.graph .node-sub { font: 11px system-ui, sans-serif; text-anchor: middle; dominant-baseline: middle; fill: var(--muted); }
svg.graph .sev-critical rect { fill: var(--critical-bg); stroke: var(--critical); }
svg.graph .sev-high rect { fill: var(--high-bg); stroke: var(--high); }
svg.graph .sev-medium rect { fill: var(--medium-bg); stroke: var(--medium); }
svg.graph .sev-low rect { fill: var(--low-bg); stroke: var(--low); }
svg.graph .sev-info rect { fill: var(--info-bg); stroke: var(--info); }
svg.graph .sev-none rect { fill: var(--none-bg); stroke: var(--none); }
svg.graph .missing rect { fill: #fff; stroke: var(--high); stroke-dasharray: 5 4; }
svg.graph .edge path { fill: none; stroke: #8a96a6; stroke-width: 1.6; }
svg.graph marker path { fill: #8a96a6; }
svg.graph .edge-label-bg { fill: var(--panel); stroke: var(--line); }
svg.graph .edge-label { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-anchor: middle; dominant-baseline: middle; fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 10px; color: var(--muted); font-size: 12px; margin-top: 6px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; border: 2px solid; }
.legend .sev-critical::before { background: var(--critical-bg); border-color: var(--critical); }
.legend .sev-high::before { background: var(--high-bg); border-color: var(--high); }
.legend .sev-medium::before { background: var(--medium-bg); border-color: var(--medium); }
.legend .sev-low::before { background: var(--low-bg); border-color: var(--low); }
.legend .sev-info::before { background: var(--info-bg); border-color: var(--info); }
.legend .sev-none::before { background: var(--none-bg); border-color: var(--none); }
.legend .missing::before { background: #fff; border: 2px dashed var(--high); }
.filters { position: sticky; top: 0; z-index: 2; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px; display: grid; gap: 6px; box-shadow: 0 2px 6px rgba(17, 26, 39, .06); }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; }
.filters legend { float: left; width: 92px; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.filters label { display: inline-flex; align-items: center; gap: 4px; padding: 1px 8px 1px 4px; border: 1px solid var(--line); border-radius: 999px; cursor: pointer; user-select: none; font-size: 13px; }
.filters label:has(input:not(:checked)) { opacity: .45; text-decoration: line-through; }
.filters .status { display: flex; gap: 10px; align-items: center; color: var(--muted); font-size: 13px; }
.filters button { font: inherit; font-size: 12px; padding: 2px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); cursor: pointer; }
.finding { background: var(--panel); border: 1px solid var(--line); border-left: 5px solid var(--info); border-radius: 10px; padding: 12px 16px; margin: 12px 0; }
.finding.sev-critical { border-left-color: var(--critical); }
.finding.sev-high { border-left-color: var(--high); }
.finding.sev-medium { border-left-color: var(--medium); }
.finding.sev-low { border-left-color: var(--low); }
.finding > header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.finding .title { margin: 6px 0 2px; font-size: 15px; }
.finding .msg { margin: 4px 0; }
.finding .loc { margin: 4px 0; color: var(--muted); }
.finding h4 { margin: 10px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.finding details { margin-top: 6px; }
.finding summary { cursor: pointer; color: var(--muted); font-weight: 600; }
.finding ul.related { margin: 4px 0; padding-left: 18px; }
pre.frame, pre.diff, pre.cmd { background: #0f1722; color: #dce3ec; border-radius: 8px; padding: 8px 0; margin: 6px 0; overflow-x: auto; line-height: 1.45; }
pre.cmd { padding: 8px 12px; }
pre .line, pre .d { display: block; padding: 0 12px; white-space: pre; }
pre .line.hit { background: rgba(217, 45, 32, .28); }
pre .ln { display: inline-block; min-width: 3ch; margin-right: 12px; color: #7d8a9b; text-align: right; user-select: none; }
pre .d.add { background: rgba(26, 127, 55, .35); }
pre .d.del { background: rgba(217, 45, 32, .3); }
pre .d.meta { color: #8fb3ff; }
.muted { color: var(--muted); }
#empty { padding: 20px; text-align: center; color: var(--muted); background: var(--panel); border: 1px dashed var(--line); border-radius: 10px; }
footer { color: var(--muted); font-size: 12px; margin-top: 30px; }
`;

export const SCRIPT = `
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('drydock-data').textContent);
  var inputs = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var status = document.getElementById('shown');
  var empty = document.getElementById('empty');
  var picked = document.getElementById('picked');
  var pickedService = null;

  function update() {
    var off = { severity: {}, env: {}, rule: {} };
    inputs.forEach(function (i) { if (!i.checked) off[i.getAttribute('data-filter')][i.value] = true; });
    var shown = 0;
    findings.forEach(function (el) {
      var d = el.dataset;
      var hide = off.severity[d.severity] || off.env[d.env] || off.rule[d.rule] ||
        (pickedService !== null && (d.service !== pickedService.service || (d.env !== pickedService.env && d.env !== '')));
      el.hidden = Boolean(hide);
      if (!hide) shown++;
    });
    status.textContent = shown + ' of ' + report.findings.length + ' findings shown';
    empty.hidden = shown > 0;
    picked.hidden = pickedService === null;
    if (pickedService !== null) picked.querySelector('span').textContent = pickedService.service + ' (' + pickedService.env + ')';
    document.querySelectorAll('svg.graph .node').forEach(function (n) {
      var g = n.closest('[data-graph-env]');
      n.classList.toggle('picked', pickedService !== null && n.getAttribute('data-service') === pickedService.service && g.getAttribute('data-graph-env') === pickedService.env);
    });
  }

  inputs.forEach(function (i) { i.addEventListener('change', update); });
  document.getElementById('reset').addEventListener('click', function () {
    inputs.forEach(function (i) { i.checked = true; });
    pickedService = null;
    update();
  });
  picked.querySelector('button').addEventListener('click', function () { pickedService = null; update(); });
  function pick(node) {
    var env = node.closest('[data-graph-env]').getAttribute('data-graph-env');
    var service = node.getAttribute('data-service');
    pickedService = pickedService && pickedService.service === service && pickedService.env === env ? null : { service: service, env: env };
    update();
    if (pickedService) document.getElementById('findings').scrollIntoView({ behavior: 'smooth' });
  }
  document.querySelectorAll('svg.graph .node').forEach(function (n) {
    n.addEventListener('click', function () { pick(n); });
    n.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(n); } });
  });
  document.getElementById('download').addEventListener('click', function () {
    var blob = new Blob([JSON.stringify(report, null, 2) + '\\n'], { type: 'application/json' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'drydock-report.json';
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  });
  update();
})();
`;
