"""Static HTML of the inspect pages: escaping, entity colours, KG id links, the page frame with its
small inline script (no CDN, no server: the file opens from disk).

Every string that comes from a document, a KG or a run goes through :func:`esc`, so a title or a
mention such as ``<script>`` is shown as text.

A KG id gets a link to wikidata.org only when it is a real Wikidata item id: ``Q`` followed by a
number below :data:`STAND_IN_START`. The benchmark KG (../shared/data/bench) numbers its invented
stand-in entities from Q900000000 on, far above any id Wikidata has issued (about Q135000000 in
2026), so such ids are shown as plain text marked "stand-in".
"""

from __future__ import annotations

import html
import re

STAND_IN_START = 900_000_000
_QID = re.compile(r"^Q([1-9][0-9]*)$")


def esc(value) -> str:
    """``value`` as HTML text (quotes escaped too, so it is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def is_real_qid(qid: str | None) -> bool:
    """Whether ``qid`` names a real Wikidata item (not None, not a benchmark stand-in)."""
    match = _QID.match(qid or "")
    return bool(match) and int(match.group(1)) < STAND_IN_START


def qid_html(qid: str | None) -> str:
    """A link to the item on wikidata.org for a real id; the id as text (marked) for a stand-in."""
    if not qid:
        return '<span class="muted">not linked</span>'
    if is_real_qid(qid):
        return f'<a href="https://www.wikidata.org/wiki/{esc(qid)}" rel="noopener">{esc(qid)}</a>'
    return f'{esc(qid)} <span class="muted">(stand-in)</span>'


def entity_color(index: int) -> str:
    """A light background colour of entity ``index``; neighbouring indices differ by the golden angle."""
    return f"hsl({(index * 137.508) % 360:.1f}, 75%, 82%)"


CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.2em 2em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.15em; margin-top: 1.5em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th.sortable { cursor: pointer; background: #f0f0f0; } th.sortable:after { content: " \\2195"; color: #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #777; } .doc { display: none; border-top: 2px solid #444; margin-top: 1em; }
.doc:target, .doc.single { display: block; }
.text p { margin: .2em 0; } .sid { color: #999; font-size: .8em; margin-right: .4em; }
.m { border-radius: 3px; padding: 0 2px; } .m sub { font-size: .7em; color: #444; }
tr.correct td:first-child { border-left: 4px solid #2ca02c; }
tr.fp td:first-child { border-left: 4px solid #d62728; }
tr.missed td:first-child { border-left: 4px solid #ff7f0e; }
tr.predicted td:first-child { border-left: 4px solid #1f77b4; }
.kg { font-size: .85em; color: #333; } .controls { margin: .5em 0; } .controls label { margin-right: 1em; }
"""

SCRIPT = """
(function () {
  var table = document.getElementById('docs');
  if (!table) return;
  var body = table.tBodies[0];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    if (!th.classList.contains('sortable')) return;
    var asc = false;
    th.addEventListener('click', function () {
      asc = !asc;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var rel = document.getElementById('f-relation'), kind = document.getElementById('f-kind');
  var title = document.getElementById('f-title');
  function apply() {
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var rels = ' ' + r.getAttribute('data-relations') + ' ', kinds = ' ' + r.getAttribute('data-kinds') + ' ';
      var ok = (!rel.value || rels.indexOf(' ' + rel.value + ' ') >= 0)
        && (!kind.value || kinds.indexOf(' ' + kind.value + ' ') >= 0)
        && (!title.value || r.getAttribute('data-title').toLowerCase().indexOf(title.value.toLowerCase()) >= 0);
      r.style.display = ok ? '' : 'none';
      if (ok) shown += 1;
    });
    document.getElementById('n-shown').textContent = shown;
  }
  [rel, kind, title].forEach(function (el) { el.addEventListener('input', apply); });
  apply();
})();
"""


def page(title: str, body: str) -> str:
    """A whole HTML document: ``title`` (escaped here) and ``body`` (already HTML)."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n"
            f"<script>{SCRIPT}</script>\n</body></html>\n")
