"""`kire train` end to end on tiny documents: outputs, determinism, resuming, the split rule."""

from __future__ import annotations

import json

import pytest

from kire.models.checkpoint import load_tensors
from kire.train.split import split_docred_file
from tests.conftest import shared_file
from tests.models_fixtures import run_kire, write_tiny_dataset


def train(paths, out, *extra):
    return run_kire("train", "--train", str(paths["train"]), "--dev", str(paths["dev"]),
                    "--test", str(paths["dev"]), "--rel-info", str(paths["rel_info"]),
                    "--out", str(out), "--threads", "1", "--no-progress", "--lr", "0.01", *extra)


def metrics(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return write_tiny_dataset(tmp_path_factory.mktemp("tiny"))


def test_train_writes_every_output_and_is_deterministic(paths, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert train(paths, out, "--model", "bilstm", "--epochs", "2", "--seed", "3") == 0
    for name in ("model.safetensors", "model.json", "metrics.jsonl", "theta.json", "result_dev.json",
                 "result_test.json", "checkpoint/state.safetensors", "checkpoint/state.json"):
        assert (a / name).is_file(), name
    rows = metrics(a)
    assert [r["epoch"] for r in rows] == [1, 2]
    assert {"loss", "dev_f1", "dev_ign_f1", "theta", "train_seconds", "docs_per_second"} <= rows[0].keys()
    assert [r["loss"] for r in rows] == [r["loss"] for r in metrics(b)]  # same seed, same run
    wa, wb = load_tensors(a / "model.safetensors"), load_tensors(b / "model.safetensors")
    assert all((wa[k] == wb[k]).all() for k in wa)
    result = json.loads((a / "result_test.json").read_text())
    assert all(set(r) == {"title", "h_idx", "t_idx", "r", "evidence"} for r in result)
    summary = json.loads((a / "theta.json").read_text())
    assert 0 < summary["theta"] < 1 and summary["epochs"] == 2
    # metrics.json for the report: dev scored, the test split here is labeled too
    assert run_kire("eval-run", str(a), "--dev", str(paths["dev"]), "--test", str(paths["dev"]),
                    "--train", str(paths["train"])) == 0
    scored = json.loads((a / "metrics.json").read_text())
    assert scored["dev"]["f1"] == pytest.approx(summary["dev_f1"])
    assert scored["dev"]["theta"] == summary["theta"]
    assert set(scored["dev"]["breakdowns"]["mentions"]) == {"1", "(1,3]", ">3"}
    from kire.report.collect import read_metrics

    assert set(read_metrics(a / "metrics.json")) == {"dev", "test"}


def test_an_interrupted_run_resumes_to_the_same_result(paths, tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert train(paths, whole, "--model", "cnn", "--epochs", "3", "--patience", "9") == 0
    assert train(paths, parts, "--model", "cnn", "--epochs", "1", "--patience", "9") == 0  # "interrupted"
    first = metrics(parts)[0]
    assert train(paths, parts, "--model", "cnn", "--epochs", "3", "--patience", "9") == 0  # resumed
    assert metrics(parts)[0] == first  # epoch 1 was not run again (its timings would differ)
    assert [r["loss"] for r in metrics(parts)] == pytest.approx([r["loss"] for r in metrics(whole)], abs=1e-6)
    wa, wb = load_tensors(whole / "checkpoint/state.safetensors"), load_tensors(parts / "checkpoint/state.safetensors")
    assert all(wa[k].shape == wb[k].shape and (wa[k] - wb[k]).abs().max() < 1e-5 for k in wa if k.startswith("p."))


def test_training_learns_the_tiny_set(paths, tmp_path):
    out = tmp_path / "fit"
    assert train(paths, out, "--model", "lstm", "--epochs", "12", "--patience", "12") == 0
    rows = metrics(out)
    assert rows[-1]["loss"] < rows[0]["loss"] / 2
    assert max(r["dev_f1"] for r in rows) > 0.5  # dev = train here: the model must fit it


def test_split_rule_is_fixed_and_disjoint(tmp_path):
    source = shared_file("redocred/dev_revised.json")
    counts = split_docred_file(source, tmp_path / "tr.json", tmp_path / "dv.json", 400, 100)
    assert counts == {"train": 400, "dev": 100}
    tr = [d["title"] for d in json.loads((tmp_path / "tr.json").read_text())]
    dv = [d["title"] for d in json.loads((tmp_path / "dv.json").read_text())]
    assert not set(tr) & set(dv)
    import hashlib

    digests = [hashlib.sha1(t.encode()).hexdigest() for t in tr + dv]
    assert digests == sorted(digests)


def test_a_corrupt_checkpoint_is_a_clear_error_not_an_unpickle(tmp_path):
    from kire.errors import InputError

    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"\x80\x04not a safetensors file")
    with pytest.raises(InputError, match="model.safetensors"):
        load_tensors(bad)
    with pytest.raises(InputError, match="not found"):
        load_tensors(tmp_path / "missing.safetensors")


def test_every_registered_variant_resolves_to_a_factory():
    import importlib

    from kire.errors import KireError
    from kire.train.pipeline import build_variant
    from kire.train.variant_table import VARIANTS

    for name, variant in VARIANTS.items():
        module, func = variant.factory.split(":")
        assert callable(getattr(importlib.import_module(module), func)), name
    with pytest.raises(KireError, match="unknown variant"):
        build_variant("no_such_variant", None, {}, {})


def test_stage2_scores_its_start_as_epoch_0_and_never_reports_less(paths, tmp_path):
    base, cont = tmp_path / "base", tmp_path / "continue"
    assert train(paths, base, "--model", "bilstm", "--epochs", "6", "--seed", "2") == 0
    base_f1 = json.loads((base / "theta.json").read_text())["dev_f1"]
    # a learning rate that wrecks the model: stage 2 must fall back to where it started
    settings = json.dumps({"init_from": str(base)})
    assert train(paths, cont, "--model", "bilstm", "--variant", "continue", "--variant-settings", settings,
                 "--epochs", "2", "--patience", "5", "--seed", "2", "--lr", "50") == 0
    rows = metrics(cont)
    assert [r["epoch"] for r in rows] == [0, 1, 2]
    assert rows[0]["dev_f1"] == base_f1 and "loss" not in rows[0]  # epoch 0: the base model, not trained
    summary = json.loads((cont / "theta.json").read_text())
    assert summary["dev_f1"] == pytest.approx(max(r["dev_f1"] for r in rows)) and summary["dev_f1"] >= base_f1
    assert max(r["dev_f1"] for r in rows[1:]) < base_f1 and summary["best_epoch"] == 0
    assert summary["dev_f1"] == pytest.approx(base_f1)
    from kire.errors import KireError

    with pytest.raises(KireError, match="init_from"):
        train(paths, tmp_path / "bad", "--model", "bilstm", "--variant", "continue", "--epochs", "1")


def test_a_warmup_decay_schedule_is_stepped_per_batch_and_resumed(paths, tmp_path, monkeypatch):
    import kire.train.loop as loop

    flags = ("--model", "cnn", "--epochs", "4", "--patience", "9", "--batch-size", "1", "--optimizer", "adamw",
             "--warmup-ratio", "0.25", "--decay", "linear")
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert train(paths, whole, *flags) == 0
    # 3 documents, batch 1: 12 steps, 3 warming up; the rate after epoch k (3k steps) is 0.01 (12 - 3k) / 9
    assert [r["lr_base"] for r in metrics(whole)] == pytest.approx([0.01, 0.01 * 6 / 9, 0.01 * 3 / 9, 0.0])
    saved = loop.save_state

    def interrupted(ckpt_dir, pipeline, optimizer, state):
        saved(ckpt_dir, pipeline, optimizer, state)
        if state["epoch"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(loop, "save_state", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train(paths, parts, *flags)
    monkeypatch.setattr(loop, "save_state", saved)
    assert train(paths, parts, *flags) == 0
    for a, b in zip(metrics(whole), metrics(parts)):
        assert a["lr_base"] == pytest.approx(b["lr_base"]) and a["loss"] == pytest.approx(b["loss"], abs=1e-6)
