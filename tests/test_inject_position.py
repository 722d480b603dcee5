"""inject.position (kire.inject.streams): the release's before_encoder design trains, saves and loads;
models without word input states and wrong values are clear errors; after_encoder is unchanged.
The identity at the start of stage 2 is tests/test_stage2_identity.py."""

from __future__ import annotations

import json

import pytest
import torch

pytest.importorskip("pyarrow")

from kire.errors import KireError  # noqa: E402
from kire.models.registry import INPUT_STREAM_MODELS, MODELS, model_class  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from tests.inject_fixtures import write_tiny_knowledge

    return write_tiny_knowledge(tmp_path_factory.mktemp("inject_position"))


@pytest.fixture(scope="module")
def dev_docs(tiny):
    from kire.docs.read import read_split

    from tests.inject_fixtures import RELATIONS

    return read_split(str(tiny / "docs" / "dev"), list(RELATIONS))


def fresh(name: str, docs):
    """A freshly built model ``name`` on ``docs`` and its dev batch."""
    from kire.models.features import LabelSpace, collate

    from tests.inject_fixtures import RELATIONS

    space = LabelSpace.from_documents(list(RELATIONS), docs)
    torch.manual_seed(0)
    model = model_class(name).create(space, {}, docs)
    return model, collate([model.featurize(d, i, "dev") for i, d in enumerate(docs)], space.n_classes)


def settings(tiny, **extra) -> dict:
    return {"subgraph": str(tiny / "subgraph"), "coref": str(tiny / "coref" / "{split}.parquet"),
            "codes": str(tiny / "codes"), **extra}


def test_the_registry_lists_exactly_the_models_with_word_input_states():
    from kire.models.word_model import WordREModel

    assert set(INPUT_STREAM_MODELS) == {n for n in MODELS if issubclass(model_class(n), WordREModel)}


def test_one_training_step_trains_the_layer_on_the_input_states_and_the_fusion(tiny, dev_docs):
    from kire.train.pipeline import Pipeline, build_variant

    model, batch = fresh("bilstm", dev_docs)
    parts = build_variant("kire", model, settings(tiny, position="before_encoder"), {"dev": dev_docs})
    assert parts.position == "before_encoder" and parts.spec["position"] == "before_encoder"
    assert parts.inject.layer.layer.coref is not None  # the layer runs at the input width d_in
    assert parts.inject.fuse.hidden.in_features == 2 * model.hidden_size
    pipeline = Pipeline(model, parts).train()
    with torch.no_grad():
        before = pipeline.eval()(batch, "dev")[1]
    pipeline.train()
    torch.manual_seed(2)
    losses = pipeline.losses(batch, "dev")
    assert set(losses) == {"re", "cr", "kg"} and all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert parts.inject.fuse.out.weight.grad.abs().sum() > 0  # the zero output layer learns at once
    assert parts.inject.layer.layer.coref.g.grad is not None
    assert model.lstm.weight_ih_l0.grad.abs().sum() > 0
    torch.optim.SGD(pipeline.parameters(), lr=0.5).step()
    with torch.no_grad():
        after = pipeline.eval()(batch, "dev")[1]
    assert not torch.equal(before, after)


def test_the_input_width_picks_a_head_count_that_divides_it_unless_the_user_set_one(tiny, dev_docs):
    from kire.train.pipeline import build_variant

    model, _ = fresh("bilstm", dev_docs)
    d_in = model.input_size  # the fixture's GloVe width + 20 + 20
    parts = build_variant("kire", model, settings(tiny, position="before_encoder"), {"dev": dev_docs})
    heads = parts.spec["inject"]["heads_token"]
    assert d_in % heads == 0 and heads <= 4 and not any(d_in % h == 0 for h in range(heads + 1, 5))
    bad = next((h for h in range(2, 9) if d_in % h), None)
    if bad is None:
        pytest.skip(f"every head count up to 8 divides {d_in}")
    with pytest.raises(KireError, match=r"inject\.layer\.heads_token"):
        build_variant("kire", model, settings(tiny, position="before_encoder", inject={"heads_token": bad}),
                      {"dev": dev_docs})


@pytest.mark.parametrize("position", ["before_encoder", "after_encoder"])
@pytest.mark.parametrize("heads", [0, -3, "3", 1.5, True])
def test_a_head_count_that_is_not_a_positive_whole_number_is_a_config_error(tiny, dev_docs, position, heads):
    from kire.train.pipeline import build_variant

    model, _ = fresh("bilstm", dev_docs)
    with pytest.raises(KireError, match=r"'inject\.layer\.heads_token': .* is not a positive whole number"):
        build_variant("kire", model, settings(tiny, position=position, inject={"heads_token": heads}),
                      {"dev": dev_docs})


def test_a_head_count_that_does_not_divide_the_hidden_size_after_the_encoder_is_a_config_error(tiny, dev_docs):
    from kire.train.pipeline import build_variant

    model, _ = fresh("bilstm", dev_docs)
    bad = next(h for h in range(2, 9) if model.hidden_size % h)
    with pytest.raises(KireError, match=rf"'inject\.layer\.heads_token': {bad} heads do not divide .* hidden size"):
        build_variant("kire", model, settings(tiny, position="after_encoder", inject={"heads_token": bad}),
                      {"dev": dev_docs})


@pytest.mark.parametrize("name", sorted(set(MODELS) - set(INPUT_STREAM_MODELS)))
def test_a_transformer_model_before_the_encoder_is_a_config_error_naming_the_key_and_the_word_models(
        tiny, dev_docs, name):
    from kire.config import grid_errors
    from kire.train.pipeline import build_variant

    model, _ = fresh(name, dev_docs)
    with pytest.raises(KireError, match=r"inject\.position.*bilstm.*" + name):
        build_variant("kire", model, settings(tiny, position="before_encoder"), {"dev": dev_docs})
    errors = grid_errors({"inject": {"position": "before_encoder"},
                          "experiments": {"models": ["bilstm", name], "variants": ["base", "kire"]}})
    assert len(errors) == 1 and "inject.position" in errors[0] and repr(name) in errors[0]
    assert grid_errors({"inject": {"position": "before_encoder"},  # no KIRE-family run: nothing to check
                        "experiments": {"models": [name], "variants": ["base", "continue"]}}) == []


def test_an_unknown_position_is_a_clear_error(tiny, dev_docs):
    from kire.train.pipeline import build_variant

    model, _ = fresh("cnn", dev_docs)
    with pytest.raises(KireError, match=r"inject\.position.*'inside'.*after_encoder, before_encoder"):
        build_variant("kire", model, settings(tiny, position="inside"), {"dev": dev_docs})


def test_the_position_round_trips_through_model_json(tiny):
    from kire.docs.read import read_split
    from kire.models.checkpoint import load_tensors
    from kire.train.loop import TrainConfig
    from tests.inject_fixtures import RELATIONS
    from kire.train.run import load_pipeline, run_training

    common = dict(train=str(tiny / "docs/train"), dev=str(tiny / "docs/dev"), test=None,
                  rel_info=str(tiny / "rel_info.json"), model="lstm",
                  cfg=TrainConfig(epochs=1, batch_size=2, progress=False))
    run_training(out_dir=str(tiny / "base"), **common)
    run_training(out_dir=str(tiny / "release"), variant="kire", **common,
                 variant_settings=settings(tiny, init_from=str(tiny / "base"), position="before_encoder"))
    meta = json.loads((tiny / "release" / "model.json").read_text())
    assert meta["variant_settings"]["position"] == meta["variant_spec"]["position"] == "before_encoder"
    weights = load_tensors(tiny / "release" / "model.safetensors")
    assert any(k.startswith("inject.fuse.") for k in weights) and any(k.startswith("inject.layer.layer.") for k in weights)
    pipeline, _ = load_pipeline(tiny / "release", {"dev": read_split(str(tiny / "docs/dev"), list(RELATIONS))})
    assert pipeline.parts.position == "before_encoder"
    assert all(torch.equal(v, weights[k]) for k, v in pipeline.state_dict().items())
