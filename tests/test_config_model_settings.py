"""train.model_settings and train.per_model in the config check (kire.config): a model name nothing
registers and a GLRE encoding that is not one of kire.models.glre.ENCODINGS fail before any job runs,
naming the key, instead of being ignored or failing in a train job after the KG and documents."""

from __future__ import annotations

from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


@pytest.mark.parametrize("key", ["model_settings", "per_model"])
def test_a_model_name_nothing_registers_is_named(key):
    from kire.config import grid_errors

    errors = grid_errors({"train": {key: {"glree": {}, "glre": {}}}})
    assert errors == [f"config key 'train.{key}.glree': unknown model 'glree'; "
                      "known: atlop, bilstm, cnn, context_aware, glre, lstm, ssan"]


def test_registered_model_names_pass():
    from kire.config import grid_errors
    from kire.models.registry import MODELS

    assert grid_errors({"train": {"model_settings": {m: {} for m in MODELS}, "per_model": {m: {} for m in MODELS}}}) == []


def test_a_glre_encoding_that_is_not_one_of_glre_encodings_is_named():
    from kire.config import config_errors, load_schema

    schema = load_schema(SCHEMA)
    errors = config_errors({"train": {"model_settings": {"glre": {"encoding": "lstm"}}}}, schema)
    assert "config key 'train.model_settings.glre.encoding': 'lstm' is not one of ['transformer', 'bilstm']" in errors
    assert not [e for e in config_errors({"train": {"model_settings": {"glre": {"encoding": "bilstm"}}}}, schema)
                if "model_settings" in e]


def test_the_schema_lists_exactly_glre_encodings():
    pytest.importorskip("torch")
    from kire.config import load_schema
    from kire.models.glre import ENCODINGS

    glre = load_schema(SCHEMA)["properties"]["train"]["properties"]["model_settings"]["properties"]["glre"]
    assert tuple(glre["properties"]["encoding"]["enum"]) == ENCODINGS
