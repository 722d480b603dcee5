"""ATLOP over the offline MiniLM weights: markers, long-document windows, loss, training."""

from __future__ import annotations

import json

import pytest
import torch

from types import SimpleNamespace

import numpy as np
from transformers import AutoModel, RobertaConfig

from kire.docs.model import Document, Entity, Mention
from kire.inject.collate import word_spans_to_h
from kire.models.atlop import ATLOP, encoder_window, window_spans
from kire.models.features import LabelSpace, collate
from kire.models.registry import model_class
from tests.models_fixtures import RELATIONS, run_kire, tiny_documents, write_tiny_dataset


@pytest.fixture(scope="module")
def setup():
    docs = tiny_documents()
    space = LabelSpace.from_documents(list(RELATIONS), docs)
    torch.manual_seed(0)
    model = model_class("atlop").create(space, {}, docs).eval()
    return docs, space, model


def test_mentions_are_wrapped_in_markers(setup):
    docs, space, model = setup
    f = model.featurize(docs[0], 0)
    tokens = model.tokenizer.convert_ids_to_tokens(f.token_ids.tolist())
    assert tokens[0] == model.tokenizer.cls_token and tokens[-1] == model.tokenizer.sep_token
    for ent, start, end in f.mentions:
        assert tokens[start] == "*" and tokens[end - 1] == "*"
    # "Anna Berg" (entity 0, words 0-1): * anna berg *
    assert tokens[f.mentions[0, 1]:f.mentions[0, 2]] == ["*", "anna", "berg", "*"]
    # a word's position is where it begins: the start marker of a mention's first word
    assert tokens[f.word_starts[5]] == "*" and tokens[f.word_starts[5] + 1] == "uppsala"
    assert tokens[f.word_starts[4]] == "in"


def test_coreference_spans_map_onto_the_mention_markers(setup):
    """A word span maps onto H as the mention's marked span: it starts at the start marker (the
    state ATLOP pools) and stops before the next mention's start marker, even when mentions touch."""
    docs, space, model = setup
    m = lambda sent, start, end, name, typ: Mention(sent, start, end, name, typ)  # noqa: E731
    touching = Document(
        title="Touching", sents=[["New", "York", "Giants", "Stadium", "opened", "in", "New", "Jersey", "."]],
        entities=[Entity([m(0, 0, 2, "New York", "LOC")], "LOC"), Entity([m(0, 2, 4, "Giants Stadium", "LOC")], "LOC"),
                  Entity([m(0, 6, 8, "New Jersey", "LOC")], "LOC")],
        labels=[])
    for doc in [*docs, touching]:
        f = model.featurize(doc, 0)
        tokens = model.tokenizer.convert_ids_to_tokens(f.token_ids.tolist())
        spans = np.asarray([doc.doc_span(mention) for ent in doc.entities for mention in ent.mentions])
        start, end, valid = word_spans_to_h(spans[:, 0], spans[:, 1], f.word_starts, len(f.token_ids))
        assert valid.all()
        assert start.tolist() == f.mentions[:, 1].tolist() and end.tolist() == f.mentions[:, 2].tolist()
        assert all(tokens[s] == "*" and tokens[e - 1] == "*" for s, e in zip(start, end))
    # "New York" ends where "Giants Stadium" starts: * new york * | * giants stadium *
    assert tokens[start[0]:end[0]] == ["*", "new", "york", "*"] and end[0] == start[1]


def test_window_comes_from_the_encoder_position_limit(setup):
    docs, space, model = setup
    assert model.window == 512  # BERT-type MiniLM: 512 position ids, all usable
    # a RoBERTa-type encoder numbers positions from padding_idx + 1: 18 ids leave 16 positions
    config = RobertaConfig(vocab_size=model.tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                           num_attention_heads=2, intermediate_size=64, max_position_embeddings=18)
    torch.manual_seed(0)
    roberta = AutoModel.from_config(config, attn_implementation="eager").eval()  # ATLOP reads attentions
    assert encoder_window(roberta, model.tokenizer) == 16
    assert encoder_window(roberta, SimpleNamespace(model_max_length=8)) == 8   # the tokenizer's limit
    assert encoder_window(roberta, SimpleNamespace(model_max_length=int(1e30))) == 16  # "no limit" sentinel
    atlop = ATLOP(space, roberta, model.tokenizer, emb_size=64, block_size=16)
    batch = collate([atlop.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    assert batch.token_ids.shape[1] > 16  # the documents need several windows
    with torch.no_grad():
        encoded = atlop.encode(batch)
        assert torch.isfinite(encoded.H).all()
        atlop.window = 18  # the raw max_position_embeddings runs past the position table
        with pytest.raises((IndexError, RuntimeError), match="out of"):  # position 18 of an 18-row table
            atlop.encode(batch)


def test_window_spans_cover_the_content_with_overlap():
    assert window_spans(10, 512) == [(1, 9)]
    spans = window_spans(1000, 512)
    covered = set()
    for s, e in spans:
        assert e - s == 510
        covered |= set(range(s, e))
    assert covered == set(range(1, 999))
    assert all(a[1] > b[0] for a, b in zip(spans, spans[1:]))  # consecutive windows overlap


def test_one_window_equals_the_plain_encoder_and_small_windows_still_work(setup):
    docs, space, model = setup
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    with torch.no_grad():
        encoded = model.encode(batch)
        H = encoded.H
        plain = model.encoder(input_ids=batch.token_ids, attention_mask=batch.token_mask.long()).last_hidden_state
        mask = batch.token_mask.unsqueeze(-1)
        assert torch.allclose(H * mask, plain * mask, atol=1e-5)
        assert encoded.attention.shape == (3, 12, H.shape[1], H.shape[1])
        window = model.window
        model.window = 10  # forces several overlapping windows per document
        try:
            small = model.encode(batch)
            H_small = small.H
            logits = model.predict(small, batch)
        finally:
            model.window = window
    assert H_small.shape == H.shape and torch.isfinite(H_small).all()
    assert logits.shape == (38, space.n_classes)
    # every real position got a state from some window
    assert (H_small.abs().sum(-1) > 0)[batch.token_mask].all()


def test_adaptive_threshold_loss_and_scores(setup):
    docs, space, model = setup
    batch = collate([model.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    logits = torch.zeros(len(batch.pair_doc), space.n_classes, requires_grad=True)
    loss = model.loss(logits, batch)
    # all logits equal: each positive costs log(|pos| + 1), every pair's threshold term log(|neg| + 1)
    pos = batch.labels[:, 1:].sum(1)
    expected = (pos * torch.log(pos + 1) + torch.log(space.n_classes - pos)).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    scores = model.scores(torch.tensor([[0.0, 1.0, -1.0, 2.0]]))
    assert scores.tolist() == [[1.0, -1.0, 2.0]]
    model.settings["top_k"] = 1
    try:
        assert model.scores(torch.tensor([[0.0, 1.0, -1.0, 2.0]])).tolist() == [[float("-inf")] * 2 + [2.0]]
    finally:
        model.settings["top_k"] = 4


def test_kire_train_atlop_on_tiny_documents(tmp_path):
    paths = write_tiny_dataset(tmp_path / "data")
    out = tmp_path / "run"
    assert run_kire("train", "--model", "atlop", "--train", str(paths["train"]), "--dev", str(paths["dev"]),
                    "--rel-info", str(paths["rel_info"]), "--out", str(out), "--epochs", "2",
                    "--threads", "1", "--no-progress", "--lr", "1e-3", "--encoder-lr", "1e-4") == 0
    summary = json.loads((out / "theta.json").read_text())
    assert summary["theta"] == 0.0 and summary["epochs"] == 2
    meta = json.loads((out / "model.json").read_text())
    assert meta["model"] == "atlop" and meta["spec"]["encoder"].endswith("model")
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert rows[1]["loss"] < rows[0]["loss"]
