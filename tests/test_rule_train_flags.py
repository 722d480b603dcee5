"""rule_train_flags and kire_variant_settings: the flags and KIRE variant settings rule train (and benchmarks/table3_redocred.py) pass to `kire train`."""

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


def test_kire_variant_settings_follow_the_inject_config():
    from kire.train.settings import kire_variant_settings

    config = {"inject": {"alpha_cr": 0.01, "alpha_kg": 0.02, "hops": 1, "max_attributes": 8,
                         "layer": {"gnn_layers": 2}, "position": "after_encoder"}}
    settings = kire_variant_settings(config, None, "runs/base/seed1", subgraph="sub")
    assert settings == {"ablation": None, "init_from": "runs/base/seed1", "alpha_cr": 0.01, "alpha_kg": 0.02,
                        "hops": 1, "max_attributes": 8, "inject": {"gnn_layers": 2}, "subgraph": "sub"}
    config["inject"]["position"] = "before_encoder"
    config["embed"] = {"glove": "glove.txt"}
    settings = kire_variant_settings(config, "no_kg", "b", coref="c/{split}.parquet", codes="codes")
    assert settings["position"] == "before_encoder" and settings["glove"] == "glove.txt"
    assert settings["ablation"] == "no_kg" and "subgraph" not in settings
    assert (settings["coref"], settings["codes"]) == ("c/{split}.parquet", "codes")
