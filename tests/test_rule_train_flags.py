"""rule_train_flags: the flags rule train (and benchmarks/table3_redocred.py) pass to `kire train`."""

from __future__ import annotations

import json

from kire.train.settings import rule_train_flags

CONFIG = {"train": {"epochs": 100, "lr": 0.0005, "device": None, "per_model": {"atlop": {"lr": 0.0001}},
                    "stage2": {"epochs": 20, "lr": None}, "model_settings": {"glre": {"encoding": "bilstm"}}},
          "embed": {"glove": "glove.txt"}}


def test_per_model_then_stage2_then_overrides_and_model_settings():
    assert rule_train_flags(CONFIG, "atlop", stage2=False) == ["--epochs=100", "--lr=0.0001", "--model-settings", "{}"]
    # stage 2: its non-null values only (lr None keeps the per-model lr); overrides last
    assert rule_train_flags(CONFIG, "atlop", stage2=True, patience=1)[:3] == ["--epochs=20", "--lr=0.0001", "--patience=1"]
    flags = rule_train_flags(CONFIG, "glre", stage2=False)
    assert json.loads(flags[-1]) == {"encoding": "bilstm", "word_vectors": "glove.txt"}  # not for ATLOP
