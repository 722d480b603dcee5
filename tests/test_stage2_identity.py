"""Stage 2 starts exactly at the base model: for every registered model and every stage-2 variant,
the pipeline with a freshly built variant gives the base model's dev logits bit for bit.

``torch.equal``, not a tolerance: every stage-2 module starts as the identity by adding an exact 0
(a zero-initialised gate times a finite difference, zero output projections, residual updates
through zero weights), and x + 0 == x in IEEE arithmetic, so any difference at all is a bug.
A second check opens the gates (all of the variant's parameters drawn at random) and expects the
logits to move, so that the first check cannot pass merely because the knowledge never arrives.
"""

from __future__ import annotations

import json

import pytest
import torch

pytest.importorskip("pyarrow")

from kire.models.registry import INPUT_STREAM_MODELS, MODELS  # noqa: E402
from kire.train.variant_table import VARIANTS  # noqa: E402

STAGE2 = [name for name, v in VARIANTS.items() if v.stage2]
KIRE_FAMILY = [name for name, v in VARIANTS.items() if v.family == "kire"]
# case -> (registered model, settings): every model with its defaults, and GLRE's word-encoder setting
MODEL_CASES = {**{name: (name, {}) for name in MODELS}, "glre_bilstm": ("glre", {"encoding": "bilstm"})}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny knowledge set plus a 3-word GloVe text file for the "w/o attr." label vectors."""
    from tests.inject_fixtures import write_tiny_knowledge

    root = write_tiny_knowledge(tmp_path_factory.mktemp("stage2_identity"))
    (root / "glove.txt").write_text("alice 0.1 0.2 0.3 0.4\nparis 0.5 -0.1 0.0 0.2\nfrance -0.3 0.1 0.2 0.6\n")
    return root


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny tensors: one thread avoids oversubscription on a shared machine (seconds -> tenths per case)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def built(tiny):
    """case of MODEL_CASES -> (model, dev batch, dev documents), each model built once."""
    from kire.docs.read import read_split
    from kire.models.features import LabelSpace, collate
    from kire.models.registry import model_class

    relations = json.loads((tiny / "rel_info.json").read_text())
    docs = read_split(str(tiny / "docs" / "dev"), list(relations))
    cache = {}

    def get(name: str):
        if name not in cache:
            space = LabelSpace.from_documents(list(relations), docs)
            torch.manual_seed(0)
            model = model_class(MODEL_CASES[name][0]).create(space, MODEL_CASES[name][1], docs).eval()
            batch = collate([model.featurize(d, i, "dev") for i, d in enumerate(docs)], space.n_classes)
            cache[name] = (model, batch, docs)
        return cache[name]

    return get


def settings_of(name: str, tiny) -> dict:
    """The --variant-settings rules/inject.smk would give a run of variant ``name``."""
    family = VARIANTS[name].family
    if family == "control":
        return {"init_from": str(tiny / "base")}
    s = {"init_from": str(tiny / "base"), "subgraph": str(tiny / "subgraph")}
    if VARIANTS[name].codes or family == "competitor" and name != "kb_graph":
        s["codes"] = str(tiny / "codes")
    if family == "kire" and VARIANTS[name].coref:
        s["coref"] = str(tiny / "coref" / "{split}.parquet")
    if family == "kire":
        s["glove"] = str(tiny / "glove.txt")
    return s


@pytest.mark.parametrize("variant", STAGE2)
@pytest.mark.parametrize("model_name", list(MODEL_CASES))
def test_a_fresh_stage2_variant_gives_the_base_models_dev_logits(built, tiny, model_name, variant):
    check_identity_at_start(built, model_name, variant, settings_of(variant, tiny))


@pytest.mark.parametrize("variant", KIRE_FAMILY)
@pytest.mark.parametrize("model_name", INPUT_STREAM_MODELS)
def test_the_release_design_starts_at_the_base_model_too(built, tiny, model_name, variant):
    """inject.position before_encoder: the layer on the input states, the second encoder stream and
    the fusion after it add an exact 0 when fresh (kire.inject.streams.StreamFusion)."""
    check_identity_at_start(built, model_name, variant, {**settings_of(variant, tiny), "position": "before_encoder"})


def check_identity_at_start(built, model_name: str, variant: str, settings: dict) -> None:
    """The fresh variant's dev logits equal the base model's bit for bit; random weights move them."""
    from kire.train.pipeline import Pipeline, VariantParts, build_variant

    model, batch, docs = built(model_name)
    torch.manual_seed(1)
    parts = build_variant(variant, model, settings, {"dev": docs})
    base, staged = Pipeline(model, VariantParts()).eval(), Pipeline(model, parts).eval()
    with torch.no_grad():
        expected = base(batch, "dev")[1]
        got = staged(batch, "dev")[1]
    assert torch.equal(got, expected), f"{model_name} + {variant}: max diff {(got - expected).abs().max()}"
    if parts.inject is None:
        assert variant == "continue"  # the control adds nothing at all
        return
    with torch.no_grad():
        for p in parts.inject.parameters():
            p.normal_(0, 0.5)
        moved = staged(batch, "dev")[1]
    assert not torch.equal(moved, expected), f"{model_name} + {variant}: the knowledge never reaches the logits"
