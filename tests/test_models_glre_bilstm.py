"""GLRE with the word encoder (``encoding: bilstm``): the BiLSTM baseline's encoding layer under
GLRE's graph, local attention and classifier. Shapes, the graph built once per document, a saved
model rebuilt from its spec, bad settings. One training step with every stage-2 variant:
tests/test_models_stage2.py (case glre_bilstm)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kire.errors import KireError
from kire.models.checkpoint import load_tensors, save_model
from kire.models.features import collate
from kire.models.glre import EDGE_TYPES, WordEncoder
from kire.models.registry import model_class
from kire.train.loop import optimizer_for
from kire.train.pipeline import Pipeline, VariantParts
from kire.train.settings import TrainConfig
from tests.models_fixtures import docs, space  # noqa: F401 (fixtures)

WORDS = {"encoding": "bilstm"}


@pytest.fixture(scope="module")
def glre(docs, space):
    torch.manual_seed(0)
    return model_class("glre").create(space, WORDS, docs).eval()


def test_word_positions_sentences_and_graph(glre, docs, space):
    doc = docs[0]
    f = glre.featurize(doc, 0)
    n_words = sum(len(s) for s in doc.sents)
    assert np.array_equal(f.word_starts, np.arange(n_words)) and len(f.token_ids) == n_words
    assert np.array_equal(f.sentence_ids, [0] * 9 + [1] * 8)
    assert f.mention_sent.tolist() == [0, 1, 0, 0, 1, 1] and f.n_sentences == 2
    # "Berg" (entity 0, second mention) is word 9, the first of sentence 1
    assert f.mentions[1].tolist() == [0, 9, 10]
    # the graph depends on mentions and sentences only: the transformer setting's counts
    counts = {name: int((f.graph_edges[:, 2] == k).sum()) for k, name in enumerate(EDGE_TYPES)}
    assert counts == {"mention-mention": 12, "mention-entity": 12, "mention-sentence": 12,
                      "entity-sentence": 12, "sentence-sentence": 2}


def test_shapes_gradients_and_what_trains_where(glre, docs, space):
    batch = collate([glre.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    assert glre.hidden_size == 128 and isinstance(glre.word_encoder, WordEncoder)
    assert not hasattr(glre, "encoder") and not hasattr(glre.word_encoder, "bilinear")
    glre.train()
    try:
        encoded = glre.encode(batch)
        assert encoded.H.shape == (3, 17, 128) and encoded.attention is None
        logits = glre.predict(encoded, batch)
        assert logits.shape == (20 + 12 + 6, space.n_classes)
        glre.loss(logits, batch).backward()
        params = dict(glre.named_parameters())
        for name in ("word_encoder.lstm.weight_ih_l0", "word_encoder.lstm_reverse.weight_hh_l0",
                     "word_encoder.entity_emb.weight", "gcn.0.weight", "local.in_proj_weight", "classifier.0.weight"):
            assert params[name].grad is not None and params[name].grad.abs().sum() > 0, name
        assert params["word_encoder.word_emb.weight"].grad is None  # frozen GloVe vectors
    finally:
        glre.zero_grad()
        glre.eval()
    # no parameter lands in the pretrained encoder's group (encoder_lr): the BiLSTM trains at lr
    groups = {g["name"]: g for g in optimizer_for(Pipeline(glre, VariantParts()), TrainConfig()).param_groups}
    assert set(groups) == {"base"}
    with torch.no_grad():  # padding: a document's logits are the same alone or in a padded batch
        together = glre.predict(glre.encode(batch), batch)
        alone = collate([glre.featurize(docs[2], 2)], space.n_classes)
        single = glre.predict(glre.encode(alone), alone)
    assert torch.allclose(together[batch.pair_doc == 2], single, atol=1e-5)


def test_graph_is_built_once_per_document(docs, space, monkeypatch):
    """Featurizing builds each document's graph; encoding and predicting never rebuild it."""
    import kire.models.glre as glre_module

    calls = []
    original = glre_module.document_graph_edges
    monkeypatch.setattr(glre_module, "document_graph_edges", lambda *a: calls.append(1) or original(*a))
    model = model_class("glre").create(space, WORDS, docs)
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    assert len(calls) == 3
    for _ in range(2):
        model.loss(model(batch), batch).backward()
    assert len(calls) == 3


def test_saved_model_is_rebuilt_from_its_spec(glre, docs, space, tmp_path):
    import json

    save_model(glre, {"spec": glre.spec()}, tmp_path)
    spec = json.loads(json.dumps(glre.spec()))  # what model.json keeps
    assert spec["encoding"] == "bilstm" and spec["word_encoder"]["vocab"][:2] == ["<pad>", "<unk>"]
    rebuilt = model_class("glre").from_spec(space, spec).eval()
    rebuilt.load_state_dict(load_tensors(tmp_path / "model.safetensors"))
    batch = collate([glre.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    with torch.no_grad():
        assert torch.equal(rebuilt(batch), glre(batch))


def test_unknown_encoding_is_a_clear_error(docs, space):
    with pytest.raises(KireError, match="encoding: 'gru' is not one of transformer, bilstm"):
        model_class("glre").create(space, {"encoding": "gru"}, docs)
