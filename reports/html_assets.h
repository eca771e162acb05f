// The inline stylesheet and script of the HTML report. Kept apart from the renderer so that
// their CSP hashes are computed over exactly these bytes.
#pragma once

namespace attest::reports::html_assets {

inline constexpr const char* kStyle = R"css(
:root{--ok:#2e7d32;--ok-bg:#e6f4ea;--bad:#c62828;--bad-bg:#fdecea;--err:#6a1b9a;--err-bg:#f3e5f5;
--warn:#a15c00;--warn-bg:#fff4e0;--na:#616161;--na-bg:#eeeeee;--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;
--card:#ffffff;--page:#f4f6f9;--accent:#2f5bd3}
*{box-sizing:border-box}
body{margin:0;background:var(--page);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:16px;overflow-wrap:anywhere}
header.top{background:#1d2330;color:#fff;padding:18px 16px 14px}
header.top .inner{max-width:1240px;margin:0 auto}
header.top h1{margin:0 0 6px;font-size:22px;font-weight:600;letter-spacing:.2px}
header.top h1 small{font-weight:400;color:#b8c0d4;font-size:14px;margin-left:8px;word-break:break-all}
dl.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0 10px;color:#cfd5e3;font-size:13px}
dl.meta div{display:flex;gap:6px;min-width:0}
dl.meta dt{color:#8f99b0}dl.meta dd{margin:0;word-break:break-all}
.totals{display:flex;flex-wrap:wrap;gap:8px}
.total{border-radius:6px;padding:6px 12px;min-width:92px;background:#2b3344;border-left:5px solid #888}
.total b{display:block;font-size:20px;line-height:1.1}
.total span{font-size:12px;color:#cfd5e3;text-transform:uppercase;letter-spacing:.5px}
.total.v-passed{border-color:#66bb6a}.total.v-failed{border-color:#ef5350}.total.v-error{border-color:#ba68c8}
.total.v-inconclusive{border-color:#ffb74d}.total.v-skipped{border-color:#9e9e9e}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin:0 0 12px;padding:10px 12px;background:var(--card);border:1px solid var(--line);border-radius:8px}
.controls label{font-weight:600;cursor:pointer}
.controls .hint{color:var(--muted);font-size:12px}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 14px}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:16px;margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:8px;word-break:break-word}
h4{font-size:13px;margin:14px 0 6px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted)}
.sub{color:var(--muted);font-size:12px;font-weight:400}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
table.matrix td.name{min-width:180px;word-break:break-word}
table.matrix td.name a{color:var(--fg);text-decoration:none;font-weight:600}
table.matrix td.name a:hover{text-decoration:underline}
.cells{display:flex;flex-wrap:wrap;gap:3px;min-width:120px}
.cell{display:inline-block;width:18px;height:18px;border-radius:3px;border:1px solid rgba(0,0,0,.15)}
.cell.det{border-radius:50%}
.c-ok{background:var(--ok)}.c-bad{background:var(--bad)}.c-warn{background:#f0a020}.c-na{background:#bdbdbd}.c-soft{background:#f2a3a3}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid transparent}
.badge.v-passed,.badge.c-ok{background:var(--ok-bg);color:var(--ok);border-color:#b7dfc0}
.badge.v-failed,.badge.c-bad{background:var(--bad-bg);color:var(--bad);border-color:#f5c0bb}
.badge.v-error{background:var(--err-bg);color:var(--err);border-color:#e1bee7}
.badge.v-inconclusive,.badge.c-warn{background:var(--warn-bg);color:var(--warn);border-color:#ffd9a0}
.badge.v-skipped,.badge.c-na,.badge.v-unknown{background:var(--na-bg);color:var(--na);border-color:#ddd}
.badge.c-soft{background:#fff;color:var(--bad);border-color:#f5c0bb}
.badge.regression,.badge.new-failure{background:var(--bad);color:#fff}
.badge.fixed{background:var(--ok);color:#fff}
.badge.changed{background:#5b6475;color:#fff}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;color:var(--muted);margin-top:8px}
.legend span{display:inline-flex;align-items:center;gap:4px}
section.scenario{border-left:5px solid var(--na)}
section.scenario.v-passed{border-left-color:var(--ok)}section.scenario.v-failed{border-left-color:var(--bad)}
section.scenario.v-error{border-left-color:var(--err)}section.scenario.v-inconclusive{border-left-color:#f0a020}
section.scenario.changed-bad{box-shadow:0 0 0 2px var(--bad)}
p.reason{margin:6px 0;font-weight:500}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fbfcfd}
details>summary{cursor:pointer;padding:6px 10px;list-style-position:inside;word-break:break-word}
details[open]>summary{border-bottom:1px solid var(--line)}
details .body{padding:8px 10px}
pre{margin:4px 0;padding:8px;background:#f1f3f7;border-radius:4px;white-space:pre-wrap;word-break:break-all;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:420px;overflow:auto}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px;margin:4px 0}
.kv dt{color:var(--muted)}.kv dd{margin:0;word-break:break-all}
ul.events{list-style:none;padding:0;margin:4px 0}
ul.events>li{border-top:1px dashed var(--line);padding:6px 0}
.prov,.k{color:var(--muted);font-size:12px}
.cut,.more{color:var(--muted);font-style:italic}
svg.timeline{width:100%;min-width:600px;height:auto;max-height:140px;display:block;margin:6px 0}
svg.trend{width:100%;max-width:640px;height:auto;display:block}
table.changes tr.regression td,table.changes tr.new-failure td{background:var(--bad-bg)}
table.changes tr.fixed td{background:var(--ok-bg)}
.muted{color:var(--muted)}
section.incomplete{border:2px solid var(--bad);background:var(--bad-bg)}
section.incomplete h2{color:var(--bad)}
p.stats{margin:0 0 8px;color:#cfd5e3;font-size:13px}
p.step{margin:4px 0;font-size:13px}
table.fields{font-size:12px;margin:4px 0}
table.fields th{white-space:normal;word-break:break-all;width:34%;font-weight:400;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table.fields tr.matched th,table.fields tr.matched td{background:#fff8c4;font-weight:600;color:var(--fg)}
.inline-tech{display:none}
details.skipped-rows,details.skipped-cards{background:var(--na-bg);color:var(--na)}
details.skipped-rows>summary,details.skipped-cards>summary{font-weight:600}
details.skipped-cards>section.card{margin:8px}
body:has(#only-failures:checked) .v-passed:not(.total):not(.badge),
body:has(#only-failures:checked) .v-skipped:not(.total):not(.badge),
body:has(#only-failures:checked) .v-inconclusive:not(.total):not(.badge){display:none}
@media (max-width:640px){main{padding:8px}header.top h1{font-size:18px}.total{min-width:70px;padding:4px 8px}
.total b{font-size:17px}table.matrix th.opt,table.matrix td.opt{display:none}section.card{padding:10px}
.inline-tech{display:block}table.matrix td.name{min-width:0;width:55%;word-break:normal;overflow-wrap:anywhere}
.cells{min-width:0}th,td{padding:4px 5px}table.matrix th{white-space:normal;overflow-wrap:normal}
.kv{grid-template-columns:1fr}.controls .hint{display:none}}
@media print{body{background:#fff;font-size:11px}header.top{background:#fff;color:#000;border-bottom:2px solid #000}
header.top h1 small,dl.meta,dl.meta dt,.total span{color:#000}.total{background:#fff;border:1px solid #999;border-left-width:5px}
.controls{display:none}section.card{break-inside:avoid;border-color:#999}pre{max-height:none;overflow:visible}
details{border-color:#999}a{color:#000;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

inline constexpr const char* kScript = R"js(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('attest-data').textContent);
  var box = document.getElementById('only-failures');
  var count = document.getElementById('shown-count');
  function failing(s) { return s.verdict === 'failed' || s.verdict === 'error'; }
  function update() {
    var total = data.scenarios.length;
    var shown = box.checked ? data.scenarios.filter(failing).length : total;
    count.textContent = 'showing ' + shown + ' of ' + total + ' scenarios';
    try {
      if (box.checked) history.replaceState(null, '', '#failures');
      else if (location.hash === '#failures') history.replaceState(null, '', location.pathname + location.search);
    } catch (e) { /* file: URLs may refuse; the filter works regardless */ }
  }
  if (location.hash === '#failures') box.checked = true;
  box.addEventListener('change', update);
  update();
  // A link to a scenario inside a collapsed group opens the group first.
  function reveal() {
    var target = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
    for (var d = target; d; d = d.parentElement) if (d.tagName === 'DETAILS') d.open = true;
  }
  window.addEventListener('hashchange', reveal);
  reveal();
  // Printing shows all evidence: open every <details> for the print, restore afterwards.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open])').forEach(function (d) { d.open = true; d.setAttribute('data-print-opened', ''); });
  });
  window.addEventListener('afterprint', function () {
    document.querySelectorAll('details[data-print-opened]').forEach(function (d) { d.open = false; d.removeAttribute('data-print-opened'); });
  });
})();
)js";

}  // namespace attest::reports::html_assets
