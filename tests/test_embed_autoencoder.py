"""The attribute AutoEncoder (eq. 7): pretraining, determinism, export of the frozen encoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embed_kg import write_small_kg
from kire.embed.attributes import attribute_sequences
from kire.embed.autoencoder import AttributeEncoder, load_encoder, save_encoder
from kire.embed.glove import load_glove
from kire.embed.lookup import LPLookup
from kire.embed.pretrain import PretrainSettings, length_batches, output_vocabulary, pretrain_autoencoder


@pytest.fixture(scope="module")
def glove():
    return load_glove(None)


@pytest.fixture(scope="module")
def kg_sequences(glove, tmp_path_factory):
    """Attribute sequences of a KG of 1,200 items whose labels and descriptions are real words."""
    rng = np.random.default_rng(0)
    words = [w for w in glove.words[200:3000] if w.isalpha()]
    items = [(f"Q9{i:05d}", " ".join(rng.choice(words, rng.integers(1, 4))).title(),
              " ".join(rng.choice(words, rng.integers(2, 6)))) for i in range(1200)]
    kg = write_small_kg(tmp_path_factory.mktemp("kg"), items)
    return attribute_sequences(kg).column("tokens").to_pylist()


def test_reconstruction_accuracy_rises_far_above_most_frequent_token(glove, kg_sequences):
    settings = PretrainSettings(max_epochs=12, heldout=0.1, progress=False)
    _, report = pretrain_autoencoder(kg_sequences, LPLookup(glove), settings)
    baseline = report["baseline_most_frequent_token"]["accuracy"]
    assert report["heldout_tokens"] > 500
    assert baseline < 0.2
    assert report["heldout_token_accuracy"] > max(0.4, 3 * baseline), report["history"]
    assert report["code_dim"] == 100 and report["lp_dim"] == 50
    assert report["best_epoch"] <= report["epochs_run"] <= 12


def test_pretraining_is_deterministic_for_a_seed(glove, kg_sequences):
    seqs = kg_sequences[:300]
    runs = []
    for seed in (5, 5, 6):
        model, report = pretrain_autoencoder(
            seqs, LPLookup(glove), PretrainSettings(max_epochs=2, seed=seed, progress=False))
        runs.append((model.state_dict(), report))
    same, other = runs[1][0], runs[2][0]
    assert all(torch.equal(runs[0][0][k], same[k]) for k in same)
    assert runs[0][1]["history"] == runs[1][1]["history"]
    assert not all(torch.equal(runs[0][0][k], other[k]) for k in other)


def test_encoder_ignores_padding_and_round_trips(tmp_path):
    torch.manual_seed(0)
    enc = AttributeEncoder(dim=6, hidden=4)
    x = torch.randn(2, 5, 6)
    short = enc(x[:1, :3])
    padded = enc(x, torch.tensor([3, 5]))
    assert padded.shape == (2, 8)
    assert torch.allclose(padded[0], short[0], atol=1e-6)
    save_encoder(enc, tmp_path, {"glove": "test"})
    back = load_encoder(tmp_path)
    assert not back.training and not any(p.requires_grad for p in back.parameters())
    assert torch.allclose(back(x), enc(x))


def test_vocabulary_and_length_batches():
    vocab = output_vocabulary([("The", "cat"), ("the", "dog"), ("a",)], size=2)
    assert vocab == ["<unk>", "the", "a"]
    lengths = np.array([2, 3, 2, 2, 3])
    batches = length_batches(lengths, batch_size=2)
    assert sorted(map(sorted, (b.tolist() for b in batches))) == [[0, 2], [1, 4], [3]]
    assert all(len(set(lengths[b])) == 1 for b in batches)
    shuffled = length_batches(lengths, 2, np.random.default_rng(0))
    assert sorted(i for b in shuffled for i in b) == [0, 1, 2, 3, 4]
