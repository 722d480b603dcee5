"""The encode/predict interface of every registered model, on tiny real-format documents."""

from __future__ import annotations

import pytest
import torch

from kire.models.base import Encoded
from kire.models.features import LabelSpace, collate, distance_bin, entity_pairs, pair_labels
from kire.models.registry import MODELS, model_class
from kire.train.pipeline import Pipeline, VariantParts
from tests.models_fixtures import RELATIONS, tiny_documents

WORD_MODELS = ["cnn", "lstm", "bilstm", "context_aware"]


@pytest.fixture(scope="module")
def docs():
    return tiny_documents()


@pytest.fixture(scope="module")
def space(docs):
    return LabelSpace.from_documents(list(RELATIONS), docs)


@pytest.fixture(scope="module")
def word_models(docs, space):
    torch.manual_seed(0)
    return {name: model_class(name).create(space, {}, docs) for name in WORD_MODELS}


def test_registry_lists_the_seven_models():
    assert set(MODELS) == {"cnn", "lstm", "bilstm", "context_aware", "atlop", "ssan", "glre"}


def test_distance_bins_are_docred_log_bins():
    assert [distance_bin(d) for d in (0, 1, 2, 3, 4, 7, 8, 255, 256, 10_000)] == \
        [10, 11, 12, 12, 13, 13, 14, 18, 19, 19]
    assert distance_bin(-5) == 10 - 3


def test_pairs_and_labels_line_up(docs, space):
    doc = docs[0]
    pairs = entity_pairs(doc)
    assert len(pairs) == 5 * 4
    for row, col in pair_labels(doc, space):
        h, t = pairs[row, :2]
        assert any(l.head == h and l.tail == t and space.relation_column(l.relation) == col for l in doc.labels)


@pytest.mark.parametrize("name", WORD_MODELS)
def test_encode_then_predict_shapes_and_gradients(name, docs, space, word_models):
    model = word_models[name]
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    encoded = model.encode(batch)
    H = encoded.H
    assert isinstance(encoded, Encoded) and encoded.attention is None  # word models pool no attention
    assert H.shape == (3, batch.token_ids.shape[1], model.hidden_size)
    logits = model.predict(encoded, batch)
    assert logits.shape == (len(batch.pair_doc), space.n_classes) == (20 + 12 + 6, 4)
    loss = model.loss(logits, batch)
    loss.backward()
    assert model.word_emb.weight.grad is None  # LP vectors stay frozen
    grads = [p.grad for n, p in model.named_parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    # GloVe rows are real vectors: "sweden" is in GloVe 6B
    assert model.word_emb.weight[model.word_index["Sweden"]].abs().sum() > 0
    model.zero_grad()


@pytest.mark.parametrize("name", WORD_MODELS)
def test_a_layer_between_encode_and_predict_changes_the_logits(name, docs, space, word_models):
    """The knowledge-injection slot: an inject module sees H and its output reaches predict."""
    model = word_models[name].eval()

    class Shift(torch.nn.Module):
        def forward(self, H, batch, kbatch):
            return H + kbatch, {"aux": H.pow(2).mean()}

    seen = []
    pipe = Pipeline(model, VariantParts(inject=Shift(), batch_inputs=lambda split, b: seen.append(split) or 0.5))
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    with torch.no_grad():
        plain = model(batch)
        _, shifted, extra = pipe(batch, "dev")
    assert seen == ["dev"] and "aux" in extra
    assert not torch.allclose(plain, shifted)
    assert set(pipe.losses(batch)) == {"re", "aux"}


def test_padding_does_not_change_a_documents_logits(docs, space, word_models):
    """A document's logits are the same alone or batched with a longer one (masking works)."""
    for name in WORD_MODELS:
        model = word_models[name].eval()
        feats = [model.featurize(d, i) for i, d in enumerate(docs)]
        with torch.no_grad():
            alone = model(collate([feats[2]], space.n_classes))
            batched = model(collate([feats[0], feats[2]], space.n_classes))[-len(alone):]
        assert torch.allclose(alone, batched, atol=1e-5), name


def test_factorized_bilinear_equals_the_bilinear_of_the_concatenations(docs, space, word_models):
    from kire.models.base import entity_mean, pair_rows
    from kire.models.features import mirrored_bin

    model = word_models["bilstm"].eval()
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    with torch.no_grad():
        encoded = model.encode(batch)
        H = encoded.H
        fast = model.predict(encoded, batch)
        entities = entity_mean(H, batch)
        head, tail = pair_rows(batch)
        s = torch.cat([entities[head], model.dist_emb(batch.pair_dist)], -1)
        o = torch.cat([entities[tail], model.dist_emb(mirrored_bin(batch.pair_dist))], -1)
        W = model.bilinear.weight  # [s, R, o]
        naive = torch.einsum("pi,irj,pj->pr", s, W, o) + model.bilinear.bias
    assert torch.allclose(fast, naive, atol=1e-4)


def test_reverse_lstm_reads_each_document_backwards_within_its_length():
    from kire.models.lstm import reverse_within

    x = torch.arange(10.0).view(2, 5, 1)
    out = reverse_within(x, torch.tensor([5, 3]))
    assert out[:, :, 0].tolist() == [[4, 3, 2, 1, 0], [7, 6, 5, 8, 9]]
