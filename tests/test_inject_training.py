"""BiLSTM+KIRE end to end on a tiny hand-made dataset: two-stage training through kire.train."""

from __future__ import annotations

import json

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("kire.train.run", reason="the training stage (kire.train) is not in the tree")
pytest.importorskip("kire.coref.table", reason="the coreference stage (kire.coref) is not in the tree")
pytest.importorskip("kire.embed.codes", reason="the AutoEncoder stage (kire.embed.codes) is not in the tree")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Docs, KG subgraph, coreference table and attribute codes of 4 train and 4 dev documents."""
    from tests.inject_fixtures import write_tiny_knowledge

    return write_tiny_knowledge(tmp_path_factory.mktemp("kire_tiny"))


def test_bilstm_kire_two_stage_training(tiny):
    from kire.models.checkpoint import load_tensors
    from kire.train.loop import TrainConfig
    from kire.train.run import run_training

    common = dict(train=str(tiny / "docs/train"), dev=str(tiny / "docs/dev"), test=None,
                  rel_info=str(tiny / "rel_info.json"), model="bilstm",
                  cfg=TrainConfig(epochs=1, batch_size=2, progress=False))
    base = run_training(out_dir=str(tiny / "base"), **common)
    settings = {"subgraph": str(tiny / "subgraph"), "coref": str(tiny / "coref/{split}.parquet"),
                "codes": str(tiny / "codes"), "init_from": str(tiny / "base")}
    summary = run_training(out_dir=str(tiny / "kire"), variant="kire", variant_settings=settings, **common)
    assert base["dev_f1"] <= summary["dev_f1"] <= 1.0  # epoch 0 (the base model itself) competes
    start, row = (json.loads(line) for line in (tiny / "kire" / "metrics.jsonl").read_text().splitlines())
    # epoch 0 is the starting point, scored with the fresh layer: exactly the base model's dev score
    assert start["epoch"] == 0 and "loss" not in start and start["dev_f1"] == base["dev_f1"]
    assert row["loss_cr"] > 0 and row["loss_kg"] > 0  # both auxiliary losses were trained
    weights = load_tensors(tiny / "kire" / "model.safetensors")
    assert any(k.startswith("inject.layer.graph.") for k in weights)
    assert any(k.startswith("inject.layer.reconciler.") for k in weights)
    assert "inject.layer.coref.g" in weights  # the exchange gate (exchange: gated)


def test_a_run_saved_before_the_gates_loads_as_it_was_trained(tiny, tmp_path):
    """A KIRE run whose model.json has no ``exchange`` (and whose weights no gate) is rebuilt with
    the literal exchange it was trained with."""
    import shutil

    from kire.docs.read import read_split
    from kire.models.checkpoint import load_tensors, save_tensors
    from kire.train.run import load_pipeline

    if not (tiny / "kire" / "model.json").is_file():
        pytest.skip("needs the two-stage run of test_bilstm_kire_two_stage_training")
    old = tmp_path / "old"
    shutil.copytree(tiny / "kire", old, ignore=shutil.ignore_patterns("checkpoint"))
    meta = json.loads((old / "model.json").read_text())
    del meta["variant_spec"]["inject"]["exchange"]
    (old / "model.json").write_text(json.dumps(meta))
    weights = load_tensors(old / "model.safetensors")
    del weights["inject.layer.coref.g"]
    save_tensors(weights, old / "model.safetensors")
    relations = list(json.loads((tiny / "rel_info.json").read_text()))
    pipeline, _ = load_pipeline(old, {"dev": read_split(str(tiny / "docs/dev"), relations)})
    assert pipeline.inject.layer.coref.exchange == "literal" and pipeline.inject.layer.coref.g is None


def test_a_run_rebuilds_the_layer_its_spec_records(tiny, tmp_path):
    """model.json's ``variant_spec.inject`` (not the settings, not InjectConfig's defaults) decides
    the layer a run is rebuilt with: a spec stating one R-GAT layer more than the weights hold is an
    InputError naming model.safetensors, not torch's traceback."""
    import shutil

    from kire.docs.read import read_split
    from kire.errors import InputError
    from kire.train.run import load_pipeline

    if not (tiny / "kire" / "model.json").is_file():
        pytest.skip("needs the two-stage run of test_bilstm_kire_two_stage_training")
    relations = list(json.loads((tiny / "rel_info.json").read_text()))
    documents = {"dev": read_split(str(tiny / "docs/dev"), relations)}
    run = tmp_path / "run"
    shutil.copytree(tiny / "kire", run, ignore=shutil.ignore_patterns("checkpoint"))
    meta = json.loads((run / "model.json").read_text())
    trained = meta["variant_spec"]["inject"]["gnn_layers"]
    assert "inject" not in meta["variant_settings"]  # the layer count is stated by the spec only
    pipeline, _ = load_pipeline(run, documents)
    assert len(pipeline.inject.layer.graph.layers) == trained
    meta["variant_spec"]["inject"]["gnn_layers"] = trained + 1
    (run / "model.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match=r"model\.safetensors: the weights do not fit the kire architecture"):
        load_pipeline(run, documents)


def test_unknown_settings_and_missing_inputs_are_clear_errors(tiny):
    from kire.errors import KireError
    from kire.inject.training import kire_variant, no_kg_variant

    class Model:
        hidden_size = 8

    with pytest.raises(KireError, match="subgrph"):
        kire_variant(Model(), {"subgrph": "x"}, {})
    with pytest.raises(KireError, match="'subgraph'"):
        kire_variant(Model(), {}, {})
    with pytest.raises(KireError, match="relations.parquet"):
        kire_variant(Model(), {"subgraph": str(tiny / "nowhere"), "codes": str(tiny / "codes")}, {})
    parts = no_kg_variant(Model(), {"coref": str(tiny / "coref/{split}.parquet")}, {"dev": [0] * 4})
    assert parts.spec["inject"]["kg"] is False
    with pytest.raises(KireError, match="'full' ablation"):
        kire_variant(Model(), {"ablation": "no_kg"}, {})


def test_runs_saved_before_an_inject_option_load_with_the_value_they_were_trained_with():
    from kire.train.run import settings_as_trained
    from kire.train.variant_table import INJECT_BEFORE_OPTION

    old = {"variant_spec": {"inject": {"coref": True, "exchange": "gated"}}}
    got = settings_as_trained(old, {"subgraph": "S", "inject": {"gnn_layers": 2}})
    assert got == {"subgraph": "S", "inject": {"coref": True, "exchange": "gated", "gnn_layers": 2,
                                               "gnn_relation_messages": False, "gnn_residual": False,
                                               "kg_head": "tokens"}}
    current = {"variant_spec": {"inject": {**dict.fromkeys(INJECT_BEFORE_OPTION), "gnn_layers": 3}}}
    assert settings_as_trained(current, {"inject": {}}) == {"inject": current["variant_spec"]["inject"]}


def test_a_saved_run_keeps_its_layer_when_a_default_changes(tmp_path):
    """A run trained with K = 2 R-GAT layers that its settings do not state (a default then) is
    rebuilt with 2 layers, and its weights load, whatever InjectConfig's default is now."""
    from dataclasses import replace

    from kire.inject.layer import InjectConfig, KnowledgeInject
    from kire.train.run import settings_as_trained

    trained = replace(InjectConfig(n_relations=3), gnn_layers=2)
    meta = {"variant_spec": {"inject": trained.to_dict(), "position": "after_encoder"}}
    rebuilt = InjectConfig.from_dict(settings_as_trained(meta, {})["inject"])
    assert rebuilt == trained
    state = KnowledgeInject(d_token=8, config=trained).state_dict()
    KnowledgeInject(d_token=8, config=rebuilt).load_state_dict(state)  # strict: same parameters


def test_a_saved_competitor_run_keeps_its_module_sizes():
    """A competitor run's spec records every module size; loading pins them (the settings given
    win), and a KB-graph spec saved before the gate existed still gets gated: false."""
    from kire.train.run import settings_as_trained
    from kire.train.variant_table import COMPETITOR_SIZES

    spec = {"competitor": "recon", "n_relations": 4, "d_auto": 100, "gated": True,
            **{k: v + 1 for k, v in COMPETITOR_SIZES.items()}}
    got = settings_as_trained({"variant_spec": spec}, {"subgraph": "S", "layers": 7})
    assert got == {"subgraph": "S", "layers": 7, **{k: v + 1 for k, v in COMPETITOR_SIZES.items() if k != "layers"}}
    old_kb = settings_as_trained({"variant_spec": {"competitor": "kb_graph", "n_relations": 4}}, {})
    assert old_kb == {"gated": False}
