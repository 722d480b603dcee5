"""TensorBoard event files of a training run, read back with TensorBoard's own event reader."""

from __future__ import annotations

import json

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from kire.train.events import EVENTS_FILE, write_event_file
from tests.models_fixtures import run_kire, write_tiny_dataset


def scalars(run_dir):
    acc = EventAccumulator(str(run_dir))
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_a_training_run_writes_the_scalars_tensorboard_reads(tmp_path):
    paths = write_tiny_dataset(tmp_path / "tiny")
    out = tmp_path / "run"
    assert run_kire("train", "--train", str(paths["train"]), "--dev", str(paths["dev"]),
                    "--rel-info", str(paths["rel_info"]), "--out", str(out), "--threads", "1",
                    "--no-progress", "--model", "cnn", "--epochs", "2", "--patience", "9") == 0
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [p.name for p in out.glob("*tfevents*")] == [EVENTS_FILE]  # beside metrics.jsonl, no leftovers
    got = scalars(out)
    lrs = [k for k in rows[0] if k.startswith("lr_")]  # one per optimiser parameter group
    assert lrs
    for tag in ("loss/total", "dev/F1", "dev/Ign F1", "dev/P", "dev/R", "dev/theta", "time/seconds_per_epoch",
                *(f"lr/{k[3:]}" for k in lrs)):
        assert [s for s, _ in got[tag]] == [r["epoch"] for r in rows], tag
    assert [v for _, v in got["dev/F1"]] == pytest.approx([100 * r["dev_f1"] for r in rows], abs=1e-4)
    assert [v for _, v in got["loss/total"]] == pytest.approx([r["loss"] for r in rows], rel=1e-6)
    terms = [k for k in rows[0] if k.startswith("loss_")]
    assert terms and all(f"loss/{k[5:]}" in got for k in terms)  # each term of the loss
    assert got[f"lr/{lrs[0][3:]}"][0][1] == pytest.approx(rows[0][lrs[0]])


def test_tensorboard_off_writes_no_event_file(tmp_path):
    paths = write_tiny_dataset(tmp_path / "tiny")
    out = tmp_path / "run"
    assert run_kire("train", "--train", str(paths["train"]), "--dev", str(paths["dev"]),
                    "--rel-info", str(paths["rel_info"]), "--out", str(out), "--threads", "1",
                    "--no-progress", "--model", "cnn", "--epochs", "1", "--no-tensorboard") == 0
    assert (out / "metrics.jsonl").is_file() and not list(out.glob("*tfevents*"))


def test_the_event_file_is_rewritten_with_exactly_the_records(tmp_path):
    records = [{"epoch": 1, "loss": 2.0, "loss_re": 1.5, "loss_kg": 0.5, "dev_f1": 0.25, "lr_inject": 1e-3,
                "docs_per_second": None, "stopped": True},
               {"epoch": 2, "loss": 1.0, "loss_re": 0.9, "loss_kg": 0.1, "dev_f1": 0.5, "lr_inject": 5e-4}]
    write_event_file(tmp_path, records[:1])
    write_event_file(tmp_path, records)  # the second epoch rewrites the file, it does not append a copy
    got = scalars(tmp_path)
    assert got["dev/F1"] == [(1, 25.0), (2, 50.0)]
    assert got["loss/kg"] == [(1, 0.5), (2, pytest.approx(0.1))]
    assert got["lr/inject"][1] == (2, pytest.approx(5e-4))
    assert set(got) == {"loss/total", "loss/re", "loss/kg", "dev/F1", "lr/inject"}  # None, bool: skipped
