"""benchmarks/group_average_precision.py on a run trained here: with every entity linked, the
"linked both" group holds every dev candidate, so its average precision is the AP over all
candidates (kire.train.scores.candidate_correctness, computed independently); a run paired with
itself differs by 0; a missing run is a usage error naming its folder; bad inputs (another
dataset's links, a run whose saved dev F1 these documents do not give) end in one line naming the
file; the scores file keeps the runs not scored again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "group_average_precision.py"


@pytest.fixture(scope="module")
def layout(sample, tmp_path_factory) -> dict[str, Path]:
    """OUT with runs continue/seed1 and copy/seed1 (one BiLSTM trained one epoch on 4 sample
    documents), a results folder with docs/d/{train,dev} and a links table linking every entity."""
    from kire.train.loop import TrainConfig
    from kire.train.run import run_training

    src = sample / "docred"
    if not (src / "train.json").is_file():
        pytest.skip("bundled sample not found (resources/sample/docred)")
    root = tmp_path_factory.mktemp("gap")
    docs = root / "results" / "docs" / "d"
    docs.mkdir(parents=True)
    for split, n in (("train", 4), ("dev", 3)):
        (docs / split).write_text(json.dumps(json.loads((src / f"{split}.json").read_text())[:n]))
    out = root / "out"
    run_training(train=str(docs / "train"), dev=str(docs / "dev"), test=None, rel_info=str(src / "rel_info.json"),
                 model="bilstm", out_dir=str(out / "continue" / "seed1"),
                 cfg=TrainConfig(epochs=1, patience=1, batch_size=4, seed=1, progress=False),
                 model_settings={"hidden_size": 32})
    shutil.copytree(out / "continue" / "seed1", out / "copy" / "seed1")
    dev = json.loads((docs / "dev").read_text())
    rows = [{"split": "dev", "doc": d, "entity": e, "qid": f"Q{d}{e}"}
            for d, doc in enumerate(dev) for e in range(len(doc["vertexSet"]))]
    pq.write_table(pa.Table.from_pylist(rows), root / "links.parquet")
    return {"root": root, "out": out, "results": root / "results", "links": root / "links.parquet",
            "rel_info": src / "rel_info.json"}


def group_ap(layout: dict[str, Path], *runs: str, links: Path | None = None, dataset: str = "d"
             ) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(SCRIPT), "--out", str(layout["out"]), "--results", str(layout["results"]),
           "--dataset", dataset, "--links", str(links or layout["links"]), "--runs", *runs, "--seeds", "1"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_linked_both_is_every_candidate(layout):
    import torch
    from sklearn.metrics import average_precision_score

    from kire.docs.read import read_split
    from kire.eval.metric import Truth
    from kire.train.run import load_pipeline
    from kire.train.scores import candidate_correctness, relation_scores

    done = group_ap(layout, "continue", "copy")
    assert done.returncode == 0, done.stderr
    assert "| copy - continue | linking/both | +0.00 | +0.00 ± 0.00 | n/a (one seed) |" in done.stdout
    saved = json.loads((layout["out"] / "group_average_precision.json").read_text())
    both = saved["continue"]["1"]["linking/both"]
    assert set(saved["continue"]["1"]) == {"linking/both"}  # no pair has an unlinked entity

    docs = layout["results"] / "docs" / "d"
    splits = {s: read_split(str(docs / s)) for s in ("train", "dev")}
    pipeline, _ = load_pipeline(layout["out"] / "continue" / "seed1", splits)
    features = [pipeline.model.featurize(doc, i) for i, doc in enumerate(splits["dev"])]
    scores = relation_scores(pipeline, features, "dev", 4, torch.device("cpu"))
    truth = Truth.from_documents(splits["dev"], str(docs / "dev"))
    flat, hits = candidate_correctness(features, scores, truth, pipeline.model.space.relations)
    assert both["gold"] == int(hits.sum()) > 0
    assert both["ap"] == pytest.approx(100 * average_precision_score(hits, flat), rel=1e-9)
    assert both["mean_gold_score"] == pytest.approx(float(np.mean(flat[hits])), rel=1e-6)


def test_missing_run_is_a_usage_error(layout):
    done = group_ap(layout, "continue", "absent")
    assert done.returncode == 2
    assert f"no saved model in {layout['out'] / 'absent' / 'seed1'}" in done.stderr
    assert "Traceback" not in done.stderr


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """The error line of a failed run (exit status 2, no traceback)."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_bad_inputs_are_one_line_naming_them(layout):
    assert "docs/other/train" in one_error_line(group_ap(layout, "continue", dataset="other"))

    rows = pq.read_table(layout["links"]).to_pylist()
    other = layout["root"] / "other-links.parquet"
    pq.write_table(pa.Table.from_pylist([{**r, "dataset": "other"} for r in rows]), other)
    line = one_error_line(group_ap(layout, "continue", links=other))
    assert f"{other}: field dataset: the table links other, not --dataset d" in line

    moved = layout["out"] / "moved" / "seed1"  # as if trained on other documents
    shutil.copytree(layout["out"] / "continue" / "seed1", moved)
    summary = json.loads((moved / "theta.json").read_text())
    (moved / "theta.json").write_text(json.dumps({**summary, "dev_f1": summary["dev_f1"] + 0.1}))
    line = one_error_line(group_ap(layout, "continue", "moved", links=layout["links"]))
    assert f"{moved / 'theta.json'}: field dev_f1: " in line and "when trained" in line


def test_scores_file_keeps_other_runs_and_refuses_other_groups(layout):
    path = layout["out"] / "group_average_precision.json"
    path.write_text(json.dumps({"kept": {"1": {"linking/both": {"gold": -1, "ap": 1.0}}}}))
    line = one_error_line(group_ap(layout, "continue"))
    assert f"{path}: run kept seed 1: field linking/both: -1 gold facts there" in line
    path.write_text(json.dumps({"kept": {"7": {"linking/none": {"gold": 3, "ap": 1.0}}}}))
    assert group_ap(layout, "continue").returncode == 0
    saved = json.loads(path.read_text())
    assert set(saved) == {"kept", "continue"} and saved["kept"] == {"7": {"linking/none": {"gold": 3, "ap": 1.0}}}
