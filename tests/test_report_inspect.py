"""Inspect pages: parsed with html.parser; per-document counts equal kire eval's; text escaped."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kire.report.html_page import is_real_qid
from kire.report.inspect import write_predict_page, write_run_page
from tests.models_fixtures import RELATIONS, run_kire, write_tiny_dataset

EVIL = "<script>alert('x')</script>"


class Page(HTMLParser):
    """The elements of a page: tags with attributes, the text of each <td>, every script's body."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.scripts, self.rows, self.text = [], [], [], []
        self._in_script = False
        self._row = None
        self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "tr":
            self._row = (dict(attrs), [])
            self.rows.append(self._row)
        if tag == "td" and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row[1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """results/tiny/cnn/{base,continue,kire}/seed1 with real runs' files; docs and a subgraph."""
    root = tmp_path_factory.mktemp("insp") / "results"
    paths = write_tiny_dataset(root.parent / "src")
    docs = json.loads(paths["dev"].read_text())
    docs[0]["title"] = EVIL
    docs[0]["sents"][0][0] = "<b>bold</b>"
    (root / "docs" / "tiny").mkdir(parents=True)
    for split in ("dev", "train"):
        (root / "docs" / "tiny" / f"{split}.json").write_text(json.dumps(docs))
    base = root / "tiny" / "cnn" / "base" / "seed1"
    assert run_kire("train", "--train", str(root / "docs/tiny/train.json"), "--dev", str(root / "docs/tiny/dev.json"),
                    "--rel-info", str(paths["rel_info"]), "--out", str(base), "--threads", "1", "--no-progress",
                    "--model", "cnn", "--epochs", "2", "--lr", "0.01") == 0
    for variant in ("continue", "kire"):  # stand-ins for stage-2 runs: the base's files, other predictions
        run = root / "tiny" / "cnn" / variant / "seed1"
        shutil.copytree(base, run)
        records = json.loads((base / "result_dev.json").read_text())
        gold = [{"title": d["title"], "h_idx": l["h"], "t_idx": l["t"], "r": l["r"], "evidence": l["evidence"]}
                for d in docs for l in d["labels"]]
        keep = gold[::2] if variant == "kire" else gold[1::2]
        (run / "result_dev.json").write_text(json.dumps(keep + records[:3]))
    sub = root / "subgraph" / "tiny"
    (sub / "dev").mkdir(parents=True)
    pq.write_table(pa.table({"rel": pa.array([0], pa.int32()), "property": ["P17"], "label": ["country"]}),
                   sub / "relations.parquet")
    pq.write_table(pa.table({"node": pa.array([0, 1], pa.int32()), "qid": ["Q183", "Q900000123"],
                             "hop": pa.array([0, 0], pa.int8()), "label": ["Germany", EVIL]}), sub / "dev" / "nodes.parquet")
    pq.write_table(pa.table({"src": pa.array([1], pa.int32()), "rel": pa.array([0], pa.int32()),
                             "dst": pa.array([0], pa.int32())}), sub / "dev" / "edges.parquet")
    pq.write_table(pa.table({"node": pa.array([], pa.int32()), "property": pa.array([], pa.string()),
                             "value": pa.array([], pa.string()), "datatype": pa.array([], pa.string())}),
                   sub / "dev" / "attributes.parquet")
    pq.write_table(pa.table({"doc": pa.array([0, 0], pa.int32()), "entity": pa.array([0, 1], pa.int32()),
                             "node": pa.array([0, 1], pa.int32())}), sub / "dev" / "doc_entities.parquet")
    return root, paths


def test_run_page_counts_equal_kire_eval_and_text_is_escaped(results, tmp_path):
    root, paths = results
    run = root / "tiny" / "cnn" / "kire" / "seed1"
    out = write_run_page(run, tmp_path / "kire.html", relation_names=RELATIONS)
    text = out.read_text()
    page = Page(text)
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]  # only our own script
    assert EVIL in "".join(page.text) and "<b>bold</b>" in "".join(page.text)  # shown as text
    assert EVIL not in text and "<b>bold</b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    assert not any("http" in (a.get("src") or "") for _, a in page.tags)  # nothing loaded from a CDN
    docs_rows = [(a, cells) for a, cells in page.rows if "data-title" in a]
    docs = json.loads((root / "docs/tiny/dev.json").read_text())
    assert len(docs_rows) == len(docs)
    # each document's counts equal kire eval's on that document alone
    for attrs, cells in docs_rows:
        doc = next(d for d in docs if d["title"] == attrs["data-title"])
        one = tmp_path / "one.json"
        one.write_text(json.dumps([doc]))
        records = [r for r in json.loads((run / "result_dev.json").read_text()) if r["title"] == doc["title"]]
        res = tmp_path / "res.json"
        res.write_text(json.dumps(records))
        scored = tmp_path / "scored.json"
        assert run_kire("eval", str(one), str(res), "--train", str(root / "docs/tiny/train.json"),
                        "--out", str(scored), "--no-breakdowns") == 0
        want = json.loads(scored.read_text())
        gold, pred, correct = (int(c) for c in cells[1:4])
        assert (gold, pred, correct) == (want["n_gold"], want["n_pred"], want["n_correct"])
        assert float(cells[8]) == pytest.approx(100 * want["f1"], abs=0.05)
        kinds = attrs["data-kinds"].split()
        assert ("missed" in kinds) == (correct < gold) and ("fp" in kinds) == (correct < pred)
    # stage-2 run: base/continue columns and the KG facts of the pair; wikidata link only for real ids
    assert "base run" in text and "continue run" in text
    links = [a["href"] for tag, a in page.tags if tag == "a" and "wikidata.org" in a.get("href", "")]
    assert links and all(l.endswith("/Q183") for l in links)
    assert "Q900000123" in "".join(page.text) and "stand-in" in "".join(page.text)
    assert "country" in "".join(page.text)
    # the list can be filtered by relation and error kind, sorted by every column
    ids = {a.get("id") for _, a in page.tags}
    assert {"docs", "f-relation", "f-kind", "f-title"} <= ids
    assert sum(1 for tag, a in page.tags if tag == "th" and a.get("class") == "sortable") == 9


def test_base_page_has_no_stage2_columns_and_its_scores_agree_with_theta(results, tmp_path):
    root, _ = results
    run = root / "tiny" / "cnn" / "base" / "seed1"
    text = write_run_page(run, tmp_path / "b.html").read_text()
    assert "continue run" not in text and "reached the layer" not in text.split("<section")[1]
    theta = json.loads((run / "theta.json").read_text())["theta"]
    rows = [(a["class"], cells) for a, cells in Page(text).rows if a.get("class") in ("correct", "fp", "missed")]
    assert rows
    for kind, cells in rows:  # the rescored model reproduces result_dev.json's cut at theta
        score = float(cells[4])  # shown to 3 decimals
        assert (score >= theta - 5e-4) if kind != "missed" else (score <= theta + 5e-4), (kind, score, theta)


def test_cli_writes_the_page_where_the_report_keeps_it(results):
    import argparse

    from kire.report.cli import register

    root, _ = results
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["inspect", str(root / "tiny" / "cnn" / "base" / "seed1")])
    assert args.func(args) == 0
    assert (root / "report" / "inspect" / "tiny" / "cnn" / "base" / "seed1.html").is_file()


def test_predict_page_shows_predictions_with_scores(results, tmp_path):
    root, _ = results
    records = [{"title": EVIL, "h_idx": 0, "t_idx": 1, "r": "P17", "r_label": "country", "score": 0.91,
                "head": {"name": "x", "type": "LOC", "kb_id": "Q64"}, "tail": {"name": "y", "type": "LOC", "kb_id": None}}]
    preds = tmp_path / "p.json"
    preds.write_text(json.dumps(records))
    text = write_predict_page(str(root / "docs/tiny/dev.json"), preds, tmp_path / "p.html").read_text()
    page = Page(text)
    assert "0.910" in "".join(page.text) and "country" in "".join(page.text)
    assert any(a.get("href") == "https://www.wikidata.org/wiki/Q64" for _, a in page.tags)
    assert len(page.scripts) == 1 and EVIL in "".join(page.text)


def test_real_qids_and_stand_ins():
    assert is_real_qid("Q42") and is_real_qid("Q899999999")
    assert not any(is_real_qid(q) for q in ("Q900000000", "Q900007542", "Q0", "P17", "", None, "Q42<"))


def test_a_relation_id_is_shown_beside_its_name_only_when_it_differs():
    from kire.report.inspect import Knowledge

    know = Knowledge(relation_names={"P17": "country", "citizen_of-x": "citizen_of-x"})
    assert know.relation_html("P17", " ({})") == "country (P17)"
    assert know.relation_html("citizen_of-x", " ({})") == "citizen_of-x"  # DWIE: the id is the name
    assert know.relation_html("P9", " ({})") == "P9"  # no name known
    assert know.relation_html("<b>", " ({})") == "&lt;b&gt;"
