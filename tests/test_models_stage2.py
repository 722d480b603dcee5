"""SSAN and GLRE (both encoding layers) with every stage-2 variant: one training step of the pipeline (encode, the
variant's layer, predict, losses, the loop's optimiser) on the tiny knowledge fixture."""

from __future__ import annotations

import pytest
import torch

from kire.models.checkpoint import load_tensors, save_model
from kire.models.features import LabelSpace, collate
from kire.models.registry import model_class
from kire.train.loop import optimizer_for
from kire.train.pipeline import Pipeline, VariantParts, build_variant
from kire.train.settings import TrainConfig
from kire.train.variant_table import INJECT_DEFAULTS, VARIANTS
from tests.inject_fixtures import tiny_document, write_tiny_knowledge

STAGE2 = [name for name, v in VARIANTS.items() if v.stage2]


def variant_settings(name: str, root, base_dir) -> dict:
    """The --variant-settings rules/inject.smk gives a run of ``name`` (over the tiny fixture)."""
    v = VARIANTS[name]
    s = {"init_from": str(base_dir)}
    if v.family == "kire":
        s.update(ablation=v.ablation, **INJECT_DEFAULTS)
    elif v.family == "competitor":
        s.update(hops=INJECT_DEFAULTS["hops"], max_attributes=INJECT_DEFAULTS["max_attributes"])
    if v.coref:
        s["coref"] = str(root / "coref" / "{split}.parquet")
    if v.kg:
        s["subgraph"] = str(root / "subgraph")
    if v.codes:
        s["codes"] = str(root / "codes")
    return s


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Docs, KG subgraph, coreference table and attribute codes of 4 train and 4 dev documents."""
    return write_tiny_knowledge(tmp_path_factory.mktemp("kire_tiny"))


@pytest.fixture(scope="module")
def small_encoder(tmp_path_factory) -> str:
    """A local Hugging Face folder: MiniLM's tokenizer and architecture, shrunk to one 32-d layer
    (randomly initialised) so that each step takes a fraction of a second."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from kire.models.atlop import default_encoder_folder

    folder = tmp_path_factory.mktemp("small_bert")
    config = AutoConfig.from_pretrained(default_encoder_folder(), local_files_only=True)
    config.update({"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64})
    torch.manual_seed(0)
    AutoModel.from_config(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(default_encoder_folder(), local_files_only=True).save_pretrained(folder)
    return str(folder)


# case -> (registered model, settings): GLRE also with its word encoder
CASES = {"ssan": ("ssan", {}), "glre": ("glre", {}), "glre_bilstm": ("glre", {"encoding": "bilstm"})}


@pytest.fixture(scope="module", params=list(CASES))
def base(request, small_encoder, tmp_path_factory):
    """A model of the tiny documents and its saved base run (``init_from`` of stage 2)."""
    docs = [tiny_document(i) for i in range(4)]
    space = LabelSpace.from_documents(["P19", "P17", "P108"], docs)
    torch.manual_seed(0)
    name, settings = CASES[request.param]
    model = model_class(name).create(space, {"encoder": small_encoder, **settings}, docs)
    folder = tmp_path_factory.mktemp(f"{request.param}_base")
    save_model(Pipeline(model, VariantParts()), {"model": name}, folder)
    return model, docs, folder


@pytest.mark.parametrize("variant", STAGE2)
def test_one_training_step_with_every_stage2_variant(variant, base, tiny):
    model, docs, folder = base
    parts = build_variant(variant, model, variant_settings(variant, tiny, folder), {"train": docs, "dev": docs})
    weights = load_tensors(folder / "model.safetensors")
    model.load_state_dict({k[len("model."):]: v for k, v in weights.items() if k.startswith("model.")})
    pipeline = Pipeline(model, parts).train()
    optimizer = optimizer_for(pipeline, TrainConfig())
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs[:2])], model.space.n_classes)
    terms = pipeline.losses(batch, "train")
    loss = sum(terms.values())
    assert torch.isfinite(loss)
    trained = dict(pipeline.inject.named_parameters()) if pipeline.inject is not None else {
        n: p for n, p in model.named_parameters() if not n.startswith("encoder.")}
    before = {n: p.detach().clone() for n, p in trained.items()}
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert any(not torch.equal(before[n], p) for n, p in trained.items()), "the step changed nothing"
    assert all(torch.isfinite(p).all() for p in pipeline.parameters())


def test_the_shipped_training_settings_of_both_models_are_valid():
    from pathlib import Path

    import yaml

    schema = yaml.safe_load(Path("workflow/schemas/config.schema.yaml").read_text())
    shipped = schema["properties"]["train"]["properties"]["per_model"]["default"]
    for name in ("ssan", "glre"):
        cfg = TrainConfig(**shipped[name])
        assert cfg.optimizer == "adamw" and cfg.decay == "linear" and cfg.warmup_ratio > 0
