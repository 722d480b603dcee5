"""Breakdowns of the knowledge channel (issue 13 §5): both entities linked / one / none, from the
dataset's links table, and pair joined by a KG edge or not, from the split's subgraph edges;
`kire eval` and `kire eval-run` read them, every other split's rows are ignored."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kire.cli import main
from kire.docs.docred import document_to_docred
from kire.docs.model import write_documents
from kire.linking.link import LINKS_SCHEMA
from kire.subgraph.build import SUBGRAPH_SCHEMAS
from tests.models_fixtures import tiny_documents


def link_row(split, doc, entity, qid):
    return {"dataset": "tiny", "split": split, "doc": doc, "entity": entity, "qid": qid, "score": 1.0,
            "method": "alias", "n_candidates": 1}


def write_knowledge(root, links_rows, doc_entities, edges):
    """links.parquet and subgraph/dev/{doc_entities,edges}.parquet with the pipeline's schemas."""
    links = root / "links" / "links.parquet"
    links.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(links_rows, schema=LINKS_SCHEMA), links)
    dev = root / "subgraph" / "dev"
    dev.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([dict(zip(("doc", "entity", "node"), r)) for r in doc_entities],
                                        schema=SUBGRAPH_SCHEMAS["doc_entities"]), dev / "doc_entities.parquet")
    pq.write_table(pa.Table.from_pylist([dict(zip(("src", "rel", "dst"), r)) for r in edges],
                                        schema=SUBGRAPH_SCHEMAS["edges"]), dev / "edges.parquet")
    return links, root / "subgraph"


@pytest.fixture
def tiny(tmp_path):
    docs = tiny_documents()
    tables = write_documents(docs, tmp_path / "docs" / "dev")
    # Anna Berg (doc 0): entities 0 and 2 linked, 1 has a row without QID; Lyon (doc 1): 0 and 1;
    # Karl Nilsen (doc 2): none. The train split's row for doc 0 entity 3 must not count.
    links, subgraph = write_knowledge(
        tmp_path,
        [link_row("dev", 0, 0, "Q1"), link_row("dev", 0, 1, None), link_row("dev", 0, 2, "Q2"),
         link_row("dev", 1, 0, "Q3"), link_row("dev", 1, 1, "Q4"), link_row("train", 0, 3, "Q9")],
        doc_entities=[(0, 0, 0), (0, 2, 1), (1, 0, 2), (1, 1, 3)],
        edges=[(1, 0, 0), (2, 0, 3)],  # Sweden -> Anna Berg (against the pair's direction), Lyon -> France
    )
    gold = [{"title": d.title, "h_idx": lab.head, "t_idx": lab.tail, "r": lab.relation} for d in docs for lab in d.labels]
    wrong = [{"title": "Anna Berg", "h_idx": 0, "t_idx": 2, "r": "P17"},  # both linked, KG edge
             {"title": "Lyon", "h_idx": 1, "t_idx": 0, "r": "P17"},       # both linked, KG edge (reversed)
             {"title": "Lyon (city)", "h_idx": 0, "t_idx": 1, "r": "P17"},  # unknown title: unplaced
             {"title": "Lyon", "h_idx": 0, "t_idx": 9, "r": "P17"}]       # bad index: unplaced
    result = tmp_path / "result_dev.json"
    result.write_text(json.dumps(gold + wrong))
    return {"docs": docs, "tables": tables, "links": links, "subgraph": subgraph, "result": result, "root": tmp_path}


def counts(groups):
    return {g: (s["n_gold"], s["n_pred"], s["n_correct"]) for g, s in groups.items()}


def test_kire_eval_breaks_down_by_linking_and_kg_edge(tiny, capsys):
    assert main(["eval", str(tiny["tables"]), str(tiny["result"]), "--train", str(tiny["tables"]),
                 "--links", str(tiny["links"]), "--subgraph", str(tiny["subgraph"])]) == 0
    printed = json.loads(capsys.readouterr().out)
    parts = printed["breakdowns"]
    # gold: Anna Berg (1,2) one, (3,4) none, (0,2) both; Lyon (0,1) both, (2,1) one; Karl Nilsen (0,1) none
    assert counts(parts["linking"]) == {"both": (2, 4, 2), "one": (2, 2, 2), "none": (2, 2, 2)}
    # KG edges join Anna Berg (0,2) and Lyon (0,1), whatever the direction
    assert counts(parts["kg_edge"]) == {"edge": (2, 4, 2), "no_edge": (4, 4, 4)}
    assert printed["records"]["unplaced"] == 2
    assert parts["linking"]["both"]["p"] == 0.5 and parts["kg_edge"]["no_edge"]["f1"] == 1.0


def test_kire_eval_run_writes_them_into_metrics_json(tiny, capsys):
    run = tiny["root"] / "run"
    run.mkdir()
    (run / "theta.json").write_text(json.dumps({"theta": 0.3}))
    (run / "result_dev.json").write_text(tiny["result"].read_text())
    assert main(["eval-run", str(run), "--dev", str(tiny["tables"]), "--train", str(tiny["tables"]),
                 "--links", str(tiny["links"]), "--subgraph", str(tiny["subgraph"])]) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert counts(metrics["dev"]["breakdowns"]["kg_edge"]) == {"edge": (2, 4, 2), "no_edge": (4, 4, 4)}
    assert metrics["dev"]["warnings"] and "kire: warning:" in capsys.readouterr().err


def test_tables_of_another_split_are_named(tiny, tmp_path, capsys):
    other = tmp_path / "other"
    links, subgraph = write_knowledge(other, [link_row("dev", 7, 0, "Q1")], [(0, 5, 0)], [])
    assert main(["eval", str(tiny["tables"]), str(tiny["result"]), "--train", str(tiny["tables"]),
                 "--links", str(links)]) == 1
    err = capsys.readouterr().err
    assert f"{links}: row 0: field doc: 7 is no document of the split (3 documents)" in err
    assert main(["eval", str(tiny["tables"]), str(tiny["result"]), "--train", str(tiny["tables"]),
                 "--subgraph", str(subgraph)]) == 1
    assert "doc_entities.parquet: row 0: field entity: 5 is no entity of document 0" in capsys.readouterr().err
    truth_json = tmp_path / "dev.json"
    truth_json.write_text(json.dumps([document_to_docred(d) for d in tiny["docs"]]))
    assert main(["eval", str(truth_json), str(tiny["result"]), "--train", str(truth_json),
                 "--subgraph", str(tmp_path / "missing")]) == 1
    assert "need --split" in capsys.readouterr().err
    assert main(["eval", str(truth_json), str(tiny["result"]), "--train", str(truth_json),
                 "--subgraph", str(tmp_path / "missing"), "--split", "dev"]) == 1
    assert "edges.parquet: file not found" in capsys.readouterr().err
