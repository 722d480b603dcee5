"""Inspect pages: what a run got right and wrong, document by document (`kire inspect`).

A run page (``results/report/inspect/<dataset>/<model>/<variant>/seed<k>.html``, rule
``inspect_run``) lists the dev documents with their counts and P/R/F1 (the official metric restricted
to the document, :mod:`kire.report.documents`, so the counts add up to ``kire eval``'s), sortable, and
filterable by relation, by error kind (``fp``: has a false positive, ``missed``: misses a gold fact,
``correct``: has a correct prediction, ``perfect``: all gold found and no false positive) and by
title. Each document has a view (shown when its row's link is followed): the text with every
mention coloured by its entity, each entity's type, KG id (linked when real, see
:mod:`kire.report.html_page`) and coreference partners (its other mentions), and the relations:
correct, false positive (kind ``fp``) and missed, each with its gold or predicted evidence sentences.
For a stage-2 run, beside each pair: the KG facts about its two entities that reached the layer (the
split's subgraph, built from the leakage-filtered KG) and whether the ``base`` and ``continue`` runs
of the same seed predicted the same fact.

A predict page shows the same document view for the output of ``kire predict`` on new documents or
raw text (no gold: every relation is of kind ``predicted``, with its score).

Inputs of a run page: ``RUN/result_dev.json`` and ``RUN/model.json`` (the run), the dev split's
documents (``<results>/docs/<dataset>/dev``), the dataset's subgraph (``<results>/subgraph/<dataset>``,
optional: KG ids and facts) and the sibling runs (optional).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from kire.docs.model import Document
from kire.errors import InputError, KireError
from kire.eval.metric import Truth, read_submission
from kire.io import atomic_path
from kire.report.documents import document_counts, records_by_title, split_path
from kire.report.html_page import entity_color, esc, page, qid_html
from kire.report.labels import BASE, CONTINUE, is_stage2, model_label, variant_label

log = logging.getLogger(__name__)

KINDS = ("correct", "fp", "missed", "predicted")
KIND_LABELS = {"correct": "correct", "fp": "false positive", "missed": "missed", "predicted": "predicted"}
MAX_KG_FACTS = 12  # KG facts shown per pair; the rest are counted


@dataclass
class RelationRow:
    """One relation of a document view: a gold or predicted fact (h, t, r) and what became of it."""

    kind: str
    head: int
    tail: int
    relation: str
    evidence: list[int] = field(default_factory=list)
    score: float | None = None
    others: dict[str, bool] = field(default_factory=dict)  # sibling run -> predicted the same fact


@dataclass
class Knowledge:
    """What a page knows about the KG: per (document index, entity) its KG id, per document index
    the subgraph facts of its entities, and relation names."""

    qids: dict[tuple[int, int], str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # KG id -> label
    node_of: dict[tuple[int, int], int] = field(default_factory=dict)
    node_qid: dict[int, str] = field(default_factory=dict)
    edges: dict[int, list[tuple[int, str, int]]] = field(default_factory=dict)  # node -> (src, prop, dst)
    relation_names: dict[str, str] = field(default_factory=dict)

    def relation_html(self, relation: str, id_form: str) -> str:
        """The relation's escaped name, followed by its id in ``id_form`` (e.g. ``" ({})"``) only when
        the id says something the name does not (DWIE's ids are their names)."""
        name = self.relation_names.get(relation, relation)
        return esc(name) + ("" if name == relation else id_form.format(esc(relation)))


def read_knowledge(subgraph_dir: str | Path | None, split: str, relation_names: dict[str, str]) -> Knowledge:
    """:class:`Knowledge` from a dataset's subgraph folder (``None`` or absent: names only)."""
    know = Knowledge(relation_names=dict(relation_names))
    if subgraph_dir is None or not Path(subgraph_dir, split).is_dir():
        return know
    from kire.subgraph.build import read_subgraph

    tables = {k: v.to_pylist() for k, v in read_subgraph(subgraph_dir, split).items()}
    props = {r["rel"]: r["property"] for r in tables["relations"]}
    for r in tables["relations"]:
        know.relation_names.setdefault(r["property"], r["label"])
    for n in tables["nodes"]:
        know.node_qid[n["node"]] = n["qid"]
        know.labels[n["qid"]] = n["label"]
    for row in tables["doc_entities"]:
        know.node_of[row["doc"], row["entity"]] = row["node"]
        know.qids[row["doc"], row["entity"]] = know.node_qid.get(row["node"])
    for e in tables["edges"]:
        fact = (e["src"], props.get(e["rel"], str(e["rel"])), e["dst"])
        know.edges.setdefault(e["src"], []).append(fact)
        if e["dst"] != e["src"]:
            know.edges.setdefault(e["dst"], []).append(fact)
    return know


def relation_rows(doc: Document, records: list[dict]) -> list[RelationRow]:
    """The rows of a document view: correct and false-positive predictions, then missed gold facts
    (without gold: the predictions by decreasing score).

    ``records`` are the document's submission records (deduplicated here by (h, t, r), as the metric
    does); gold comes from ``doc.labels`` (None: every record is ``predicted``).
    """
    gold = None if doc.labels is None else {(l.head, l.tail, l.relation): list(l.evidence) for l in doc.labels}
    rows, seen = [], set()
    for rec in records:
        key = (int(rec["h_idx"]), int(rec["t_idx"]), str(rec["r"]))
        if key in seen:
            continue
        seen.add(key)
        score = rec.get("score")
        if gold is None:
            rows.append(RelationRow("predicted", *key, list(rec.get("evidence") or ()), score))
        elif key in gold:
            rows.append(RelationRow("correct", *key, gold[key], score))
        else:
            rows.append(RelationRow("fp", *key, list(rec.get("evidence") or ()), score))
    for key, evidence in (gold or {}).items():
        if key not in seen:
            rows.append(RelationRow("missed", *key, evidence))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (order[r.kind], -(r.score or 0.0) if r.kind == "predicted" else 0.0,
                                       r.head, r.tail, r.relation))


def _text_html(doc: Document) -> str:
    starts: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for e, ent in enumerate(doc.entities):
        for m in ent.mentions:
            starts.setdefault((m.sent_id, m.start), []).append((m.end, e))
    out = []
    for s, tokens in enumerate(doc.sents):
        parts, i = [f'<span class="sid">[{s}]</span>'], 0
        while i < len(tokens):
            if (s, i) in starts:
                end, e = max(starts[s, i])  # the longest mention starting here
                end = max(end, i + 1)
                words = esc(" ".join(tokens[i:end]))
                parts.append(f'<span class="m" style="background:{entity_color(e)}" '
                             f'title="entity {e}: {esc(doc.entities[e].name)} ({esc(doc.entities[e].type)})">'
                             f"{words}<sub>{e}</sub></span>")
                i = end
            else:
                parts.append(esc(tokens[i]))
                i += 1
        out.append(f"<p>{' '.join(parts)}</p>")
    return '<div class="text">' + "\n".join(out) + "</div>"


def _entity(doc: Document, e: int) -> str:
    return (f'<span class="m" style="background:{entity_color(e)}">{esc(doc.entities[e].name)}'
            f"<sub>{e}</sub></span>")


def _entities_html(doc: Document, d: int, know: Knowledge) -> str:
    rows = []
    for e, ent in enumerate(doc.entities):
        qid = know.qids.get((d, e)) or ent.kb_id
        partners = "; ".join(f"{esc(m.name)} <span class=\"muted\">[{m.sent_id}]</span>" for m in ent.mentions)
        rows.append(f"<tr><td>{_entity(doc, e)}</td><td>{esc(ent.type)}</td><td>{qid_html(qid)}</td>"
                    f"<td>{len(ent.mentions)}</td><td>{partners}</td></tr>")
    return ("<table><thead><tr><th>entity</th><th>type</th><th>KG id</th><th>mentions</th>"
            "<th>coreference partners (mentions, [sentence])</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _kg_facts_html(d: int, h: int, t: int, know: Knowledge) -> str:
    nodes = [know.node_of.get((d, e)) for e in (h, t)]
    if all(n is None for n in nodes):
        return '<span class="muted">neither entity linked: no KG facts</span>'
    facts = {f for n in nodes if n is not None for f in know.edges.get(n, ())}
    if not facts:
        return '<span class="muted">no KG facts about these entities reached the layer</span>'
    both = set(n for n in nodes if n is not None)
    ranked = sorted(facts, key=lambda f: (not ({f[0], f[2]} <= both and len(both) == 2), f))

    def node(n: int) -> str:
        qid = know.node_qid.get(n, "")
        return f"{esc(know.labels.get(qid) or qid)} ({qid_html(qid)})"

    lines = [f"{'<b>' if {f[0], f[2]} <= both and len(both) == 2 else ''}{node(f[0])} "
             f"—{know.relation_html(f[1], ' ({})')}→ {node(f[2])}"
             f"{'</b>' if {f[0], f[2]} <= both and len(both) == 2 else ''}" for f in ranked[:MAX_KG_FACTS]]
    if len(ranked) > MAX_KG_FACTS:
        lines.append(f'<span class="muted">(+{len(ranked) - MAX_KG_FACTS} more)</span>')
    return '<div class="kg">' + "<br>".join(lines) + "</div>"


def document_html(doc: Document, d: int, rows: list[RelationRow], know: Knowledge, anchor: str,
                  counts: dict[str, int] | None = None, stage2: bool = False, single: bool = False) -> str:
    """The view of one document (``d``: its index in the split, as the subgraph numbers it)."""
    head = f'<section class="doc{" single" if single else ""}" id="{esc(anchor)}"><h2>{esc(doc.title)}</h2>'
    if counts is not None:
        head += (f'<p>gold {counts["n_gold"]}, predicted {counts["n_pred"]}, correct {counts["n_correct"]} '
                 f'(in train {counts["n_correct_in_train"]}) · <a href="#top">back to the list</a></p>')
    others = sorted({name for r in rows for name in r.others})
    header = ["kind", "head", "relation", "tail", "score", "evidence sentences"]
    header += [f"{esc(o)} run" for o in others]
    if stage2:
        header.append("KG facts about the two entities that reached the layer")
    body = []
    for r in rows:
        ev = "; ".join(f"[{s}] {esc(' '.join(doc.sents[s]))}" for s in r.evidence if 0 <= s < len(doc.sents))
        cells = [KIND_LABELS[r.kind], _entity(doc, r.head),
                 know.relation_html(r.relation, ' <span class="muted">{}</span>'),
                 _entity(doc, r.tail), "—" if r.score is None else f"{r.score:.3f}", ev or "—"]
        cells += ["—" if o not in r.others else ("found" if r.others[o] else "not found") for o in others]
        if stage2:
            cells.append(_kg_facts_html(d, r.head, r.tail, know))
        body.append(f'<tr class="{r.kind}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    relations = ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead><tbody>"
                 + "".join(body) + "</tbody></table>") if body else '<p class="muted">no relations</p>'
    return (head + "<h3>Text</h3>" + _text_html(doc) + "<h3>Entities</h3>" + _entities_html(doc, d, know)
            + "<h3>Relations</h3>" + relations + "</section>")


def _f(x: float) -> str:
    return f"{100 * x:.1f}"


def run_page(title: str, documents: list[Document], records: list[dict], truth: Truth, facts: set,
             know: Knowledge, others: dict[str, set] | None = None, stage2: bool = False,
             summary: str = "", scores: dict[tuple[str, int, int, str], float] | None = None) -> str:
    """The HTML of a run page (module docstring). ``others``: sibling run name -> its predicted
    (title, h, t, r) keys; ``scores``: (title, h, t, r) -> the run's score (:func:`dev_scores`)."""
    counts = document_counts(truth, records, facts)
    by_title = records_by_title(records)
    list_rows, views, relations = [], [], set()
    for d, doc in enumerate(documents):
        rows = relation_rows(doc, by_title.get(doc.title, []))
        for r in rows:
            if scores is not None:
                r.score = scores.get((doc.title, r.head, r.tail, r.relation))
            for name, keys in (others or {}).items():
                r.others[name] = (doc.title, r.head, r.tail, r.relation) in keys
        c = counts[doc.title]
        p = c["n_correct"] / c["n_pred"] if c["n_pred"] else 0.0
        rr = c["n_correct"] / c["n_gold"] if c["n_gold"] else 0.0
        f1 = 2 * p * rr / (p + rr) if p + rr else 0.0
        kinds = sorted({r.kind for r in rows})
        if c["n_correct"] == c["n_gold"] == c["n_pred"]:
            kinds.append("perfect")
        rels = sorted({r.relation for r in rows})
        relations.update(rels)
        anchor = f"doc-{d}"
        n_fp = sum(r.kind == "fp" for r in rows)
        n_missed = sum(r.kind == "missed" for r in rows)
        cells = [(doc.title, f'<a href="#{anchor}">{esc(doc.title)}</a>'), (c["n_gold"], c["n_gold"]),
                 (c["n_pred"], c["n_pred"]), (c["n_correct"], c["n_correct"]), (n_fp, n_fp),
                 (n_missed, n_missed), (p, _f(p)), (rr, _f(rr)), (f1, _f(f1))]
        list_rows.append(
            f'<tr data-title="{esc(doc.title)}" data-relations="{esc(" ".join(rels))}" '
            f'data-kinds="{esc(" ".join(kinds))}">'
            + "".join(f'<td data-v="{esc(v)}"{"" if i == 0 else " class=num"}>{h}</td>'
                      for i, (v, h) in enumerate(cells)) + "</tr>")
        views.append(document_html(doc, d, rows, know, anchor, c, stage2))
    names = [f'<option value="{esc(r)}">{know.relation_html(r, " ({})")}</option>'
             for r in sorted(relations)]
    controls = (
        '<div class="controls"><label>relation <select id="f-relation"><option value="">any</option>'
        + "".join(names) + '</select></label><label>error kind <select id="f-kind"><option value="">any</option>'
        '<option value="fp">has a false positive</option><option value="missed">misses a gold fact</option>'
        '<option value="correct">has a correct prediction</option>'
        '<option value="perfect">all right</option></select></label>'
        '<label>title <input id="f-title" type="search"></label>'
        f'<span id="n-shown">{len(documents)}</span> of {len(documents)} documents shown</div>')
    head = ["document", "gold", "predicted", "correct", "false pos.", "missed", "P (%)", "R (%)", "F1 (%)"]
    table = ('<table id="docs"><thead><tr>' + "".join(f'<th class="sortable">{h}</th>' for h in head)
             + "</tr></thead><tbody>" + "\n".join(list_rows) + "</tbody></table>")
    body = (f'<h1 id="top">{esc(title)}</h1><p>{summary}</p><p class="muted">Click a column to sort; '
            "click a document to open its view. Counts per document are the official metric's "
            "restricted to that document; they add up to <code>kire eval</code>'s.</p>"
            + controls + table + "\n".join(views))
    return page(title, body)


def predict_page(title: str, documents: list[Document], records: list[dict], know: Knowledge) -> str:
    """The HTML of a predict page: every document's view with the predicted relations and scores."""
    by_title = records_by_title(records)
    views = []
    for d, doc in enumerate(documents):
        unlabeled = Document(doc.title, doc.sents, doc.entities, None)
        for rec in by_title.get(doc.title, []):
            for side, e in (("head", rec["h_idx"]), ("tail", rec["t_idx"])):
                kb = (rec.get(side) or {}).get("kb_id")
                if kb:
                    know.qids.setdefault((d, int(e)), kb)
        views.append(document_html(unlabeled, d, relation_rows(unlabeled, by_title.get(doc.title, [])),
                                   know, f"doc-{d}", single=True))
    n = sum(len(v) for v in by_title.values())
    body = (f'<h1 id="top">{esc(title)}</h1><p>{n} relations predicted in {len(documents)} document(s).</p>'
            + "\n".join(views))
    return page(title, body)


def dev_scores(run: Path, documents: list[Document], dev_file: str) -> dict[tuple[str, int, int, str], float]:
    """``{(title, h, t, r): score}`` of the run's best model on its dev documents, every pair and
    relation (the scores its result_dev.json was cut from at theta). Reloads the model with the
    knowledge inputs named in its model.json, as `kire train` scored dev."""
    import torch

    from kire.train.run import load_pipeline
    from kire.train.scores import relation_scores

    pipeline, _ = load_pipeline(run, {"dev": documents})
    model = pipeline.model
    features = [model.featurize(doc, i, dev_file) for i, doc in enumerate(documents)]
    scores = relation_scores(pipeline, features, "dev", 4, torch.device("cpu"))
    relations = model.space.relations
    out = {}
    for doc, f, s in zip(documents, features, scores):
        for row in range(len(s)):
            h, t = int(f.pairs[row, 0]), int(f.pairs[row, 1])
            for col, r in enumerate(relations):
                out[doc.title, h, t, r] = float(s[row, col])
    return out


def _keys(path: Path) -> set[tuple[str, int, int, str]]:
    return {(str(r["title"]), int(r["h_idx"]), int(r["t_idx"]), str(r["r"])) for r in read_submission(path)}


def write_run_page(run_dir: str | Path, out: str | Path, docs_dir: str | Path | None = None,
                   subgraph_dir: str | Path | None = None, relation_names: dict[str, str] | None = None,
                   scores: bool = True) -> Path:
    """Write the inspect page of the run at ``run_dir`` (``<results>/<dataset>/<model>/<variant>/seed<k>``).

    ``scores``: rescore dev with the run's model for the score column (:func:`dev_scores`); when the
    model or its knowledge inputs cannot be loaded, a warning is logged and the column shows "—".

    ``docs_dir`` defaults to ``<results>/docs``, ``subgraph_dir`` to ``<results>/subgraph/<dataset>``.
    Raises KireError when the run has no dev predictions or its dev split is not found.
    """
    from kire.eval.metric import read_train_facts

    run = Path(run_dir)
    parts = run.resolve().parts
    if len(parts) < 5 or not parts[-1].startswith("seed"):
        raise KireError(f"{run}: expected a run folder <results>/<dataset>/<model>/<variant>/seed<k>")
    results, dataset, model, variant = run.resolve().parents[3], parts[-4], parts[-3], parts[-2]
    docs_dir = Path(docs_dir) if docs_dir else results / "docs"
    dev = split_path(docs_dir, dataset, "dev")
    if dev is None:
        raise KireError(f"dev split of {dataset} not found under {docs_dir} (give --docs)")
    if not (run / "result_dev.json").is_file():
        raise KireError(f"{run}/result_dev.json not found: the run has not finished")
    from kire.docs.read import read_split

    documents = read_split(dev)
    truth = Truth.from_documents(documents, str(dev))  # as read_truth(dev), without reading the split again
    train = split_path(docs_dir, dataset, "train")
    facts = read_train_facts(train) if train else set()
    records = read_submission(run / "result_dev.json")
    found = None
    if scores:
        try:
            found = dev_scores(run, documents, str(dev))
        except (KireError, OSError, KeyError, ValueError) as err:
            log.warning("%s: no scores on the inspect page (%s)", run, err)
    stage2 = is_stage2(variant)
    meta_file = run / "model.json"
    if subgraph_dir is None:
        stored = None
        if meta_file.is_file():
            try:
                stored = (json.loads(meta_file.read_text(encoding="utf-8")).get("variant_settings") or {}).get("subgraph")
            except json.JSONDecodeError as err:
                raise InputError(str(meta_file), None, None, f"not valid JSON ({err})") from None
        subgraph_dir = stored if stored and Path(stored).is_dir() else results / "subgraph" / dataset
    know = read_knowledge(subgraph_dir, "dev", relation_names or {})
    others = {}
    if stage2:
        for name in (BASE, CONTINUE):
            sibling = results / dataset / model / name / parts[-1] / "result_dev.json"
            if sibling.is_file():
                others[name] = _keys(sibling)
    theta = ""
    if (run / "theta.json").is_file():
        theta = f", theta {json.loads((run / 'theta.json').read_text(encoding='utf-8')).get('theta', 0):.3f}"
    total = document_counts(truth, records, facts)
    n = {k: sum(c[k] for c in total.values()) for k in ("n_gold", "n_pred", "n_correct")}
    summary = (f"{esc(dataset)} dev, {len(documents)} documents; gold {n['n_gold']}, predicted {n['n_pred']}, "
               f"correct {n['n_correct']}{esc(theta)}. "
               + ("Beside each pair: the KG facts of its entities in the dev subgraph (after the leakage "
                  "filter) and whether the base / continue runs of the same seed predicted the fact."
                  if stage2 else ""))
    title = f"{dataset} / {model_label(model)} / {variant_label(variant)} / {parts[-1]}"
    html_text = run_page(title, documents, records, truth, facts, know, others, stage2, summary, found)
    with atomic_path(out, suffix=".html") as tmp:
        tmp.write_text(html_text, encoding="utf-8")
    return Path(out)


def write_predict_page(input_path: str, predictions: str | Path, out: str | Path,
                       title: str | None = None) -> Path:
    """Write the predict page of ``kire predict``'s output ``predictions`` on ``input_path`` (the same
    DocRED JSON or text file it read; a text file is parsed again the same way)."""
    from kire.predict.cli import read_input

    documents = read_input(input_path, title)
    records = json.loads(Path(predictions).read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise InputError(str(predictions), None, None, "expected kire predict's JSON list of relations")
    names = {str(r["r"]): str(r.get("r_label") or r["r"]) for r in records if isinstance(r, dict) and "r" in r}
    html_text = predict_page(f"kire predict: {Path(input_path).name}", documents, records,
                             Knowledge(relation_names=names))
    with atomic_path(out, suffix=".html") as tmp:
        tmp.write_text(html_text, encoding="utf-8")
    return Path(out)
