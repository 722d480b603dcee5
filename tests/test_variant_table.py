"""The variant table and the Python-side defaults of `kire train` (kire.train.variant_table,
kire.train.settings) agree with the code that reads them and with the workflow schema."""

import importlib
import subprocess
import sys
from pathlib import Path

import yaml

from kire.train.variant_table import INJECT_DEFAULTS, VARIANTS, variants_of

ROOT = Path(__file__).resolve().parents[1]


def test_the_table_imports_without_torch():
    code = "import sys, kire.train.variant_table; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_kire_variants_cover_the_layer_ablations_and_competitors_the_modules():
    from kire.inject.competitors import COMPETITORS
    from kire.inject.layer import ABLATIONS

    assert sorted(v.ablation for v in variants_of("kire").values()) == sorted(ABLATIONS)
    assert list(variants_of("competitor")) == list(COMPETITORS)
    for name, variant in VARIANTS.items():
        module, func = variant.factory.split(":")
        assert callable(getattr(importlib.import_module(module), func)), name
        assert variant.stage2 == (name != "base")


def test_schema_defaults_are_the_python_defaults():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    inject = schema["properties"]["inject"]["properties"]
    assert {k: inject[k]["default"] for k in INJECT_DEFAULTS} == INJECT_DEFAULTS


def test_schema_train_defaults_are_those_of_kire_train():
    from dataclasses import asdict

    from kire.train.settings import MAX_ENTITIES, TrainConfig

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    train = schema["properties"]["train"]["properties"]
    python = {**asdict(TrainConfig()), "max_entities": MAX_ENTITIES}
    shared = sorted(set(python) & set(train))
    assert {"epochs", "lr", "grad_clip", "device", "max_entities"} <= set(shared)
    assert {k: train[k]["default"] for k in shared} == {k: python[k] for k in shared}
    # stage 2's keys and the per-model overrides are `kire train` settings (flags of the same name)
    assert set(train["stage2"]["properties"]) <= set(python)
    per_model = train["per_model"]["additionalProperties"]["properties"]
    assert set(per_model) <= set(python)
    TrainConfig(**train["per_model"]["default"]["atlop"])  # the shipped ATLOP settings are valid


def test_a_moved_config_key_names_its_new_place():
    from kire.config import config_errors, load_schema

    schema = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    errors = config_errors({"train": {"inject_lr": 0.001}}, schema)
    assert any("'train.inject_lr' is now 'train.stage2.inject_lr'" in e for e in errors), errors


def test_report_groups_and_labels_come_from_the_table():
    from kire.report.labels import VARIANT_ORDER, variant_group, variant_label

    assert VARIANT_ORDER[:3] == ["base", "continue", "kire"]
    assert variant_label("base") == "base" and variant_label("no_attr") == "w/o attr."
    assert variant_group("graph_gat") == "graph" and variant_group("mlp") == "ablation"
    assert variant_group("unknown") == "main" and variant_label("unknown") == "unknown"
