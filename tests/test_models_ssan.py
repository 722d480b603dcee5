"""SSAN over the offline MiniLM weights: entity-structure types, the structured attention wrapper
(tested against the unmodified encoder), both transformation forms against a per-pair reference."""

from __future__ import annotations

import pytest
import torch

from kire.errors import KireError
from kire.models.atlop import ATLOP, default_encoder_folder, load_transformer
from kire.models.features import collate
from kire.models.registry import model_class
from kire.models.ssan import STRUCTURE_TYPES, StructuredSelfAttention, add_structured_attention, structure_types
from tests.models_fixtures import docs, space  # noqa: F401 (fixtures)

T = {name: i for i, name in enumerate(STRUCTURE_TYPES)}


@pytest.fixture(scope="module", params=["biaffine", "decomp"])
def ssan(request, docs, space):
    torch.manual_seed(0)
    return model_class("ssan").create(space, {"structure": request.param}, docs).eval()


def test_structure_types_of_a_hand_built_token_sequence():
    #            [CLS] A    A    w    B    |  A    w    C    [SEP]  (| = sentence boundary)
    entity = torch.tensor([0, 1, 1, 0, 2, 1, 0, 3, 0])
    sentence = torch.tensor([-1, 0, 0, 0, 0, 1, 1, 1, -1])
    s = structure_types(entity, sentence)
    assert s.shape == (9, 9)
    assert s[1, 2] == s[2, 1] == s[1, 1] == T["intra_coref"]      # one mention, one sentence
    assert s[1, 5] == s[5, 2] == T["inter_coref"]                 # the entity's mentions across sentences
    assert s[1, 4] == s[4, 2] == s[5, 7] == T["intra_relate"]     # other entity, same sentence
    assert s[4, 5] == s[4, 7] == s[7, 1] == T["inter_relate"]     # other entity, other sentence
    assert s[1, 3] == s[3, 4] == s[6, 5] == s[7, 6] == T["intra_word"]
    assert s[3, 5] == s[6, 1] == T["none"]                        # word and mention across sentences
    assert s[3, 3] == s[3, 6] == T["none"]                        # two plain words
    assert (s[0] == 0).all() and (s[:, 8] == 0).all()             # special tokens: no structure


def test_structure_of_a_featurized_document(ssan, docs, space):
    """'Anna Berg' (s0) and 'Berg' (s1) corefer across sentences; Uppsala and Sweden share s0."""
    batch = collate([ssan.featurize(docs[0], 0)], space.n_classes)
    tokens = ssan.tokenizer.convert_ids_to_tokens(batch.token_ids[0].tolist())
    s = structure_types(batch.coref_ids[0], batch.sentence_ids[0])
    anna, berg2 = tokens.index("anna"), tokens.index("berg", tokens.index("berg") + 1)
    uppsala, sweden, norway, was = (tokens.index(w) for w in ("uppsala", "sweden", "norway", "was"))
    assert s[anna, berg2] == T["inter_coref"]
    assert s[uppsala, sweden] == T["intra_relate"]
    assert s[uppsala, norway] == T["inter_relate"]
    assert s[anna, was] == T["intra_word"] and s[was, norway] == T["none"]
    assert s[anna, anna - 1] == T["intra_coref"]  # the start marker belongs to its mention


@pytest.mark.parametrize("form", ["biaffine", "decomp"])
def test_bias_equals_the_per_pair_formula(form):
    torch.manual_seed(1)
    inner = load_transformer_attention()
    wrapper = StructuredSelfAttention(inner, form, init_std=0.5)
    with torch.no_grad():
        wrapper.type_bias.normal_()
    W = 9
    entity = torch.tensor([[0, 1, 1, 0, 2, 0, 1, 0, 0], [0, 0, 3, 0, 0, 2, 2, 0, 0]])
    sentence = torch.tensor([[-1, 0, 0, 0, 0, 1, 1, 1, -1], [-1, 0, 0, 0, 1, 1, 1, -1, -1]])
    structure = structure_types(entity, sentence)
    hidden = torch.randn(2, W, inner.query.in_features)
    with torch.no_grad():
        bias = wrapper.bias(hidden, structure)
        h, dh = inner.num_attention_heads, inner.attention_head_size
        q = inner.query(hidden).view(2, W, h, dh)
        k = inner.key(hidden).view(2, W, h, dh)
    for b in range(2):
        for i in range(W):
            for j in range(W):
                t = int(structure[b, i, j])
                for head in range(h):
                    if t == 0:
                        expected = torch.tensor(0.0)
                    elif form == "biaffine":
                        expected = (q[b, i, head] @ wrapper.biaffine[t - 1, head] @ k[b, j, head]
                                    + wrapper.type_bias[t - 1, head])
                    else:
                        expected = (q[b, i, head] @ wrapper.query_side[t - 1, head]
                                    + wrapper.key_side[t - 1, head] @ k[b, j, head] + wrapper.type_bias[t - 1, head])
                    assert torch.allclose(bias[b, head, i, j], expected.detach(), atol=1e-4), (b, i, j, head, t)
    assert {int(t) for t in structure.unique()} == set(range(len(STRUCTURE_TYPES)))  # every type was checked


def load_transformer_attention():
    encoder, _ = load_transformer(default_encoder_folder(), pretrained=True)
    return encoder.encoder.layer[0].attention.self


def test_every_layer_is_wrapped_and_zero_structure_is_the_plain_encoder(ssan, docs, space):
    assert len(ssan.structured) == ssan.encoder.config.num_hidden_layers
    batch = collate([ssan.featurize(d, i) for i, d in enumerate(docs)], space.n_classes)
    encoder, tokenizer = load_transformer(default_encoder_folder(), pretrained=True)
    plain = ATLOP(space, encoder.eval(), tokenizer)
    # same head weights, same pretrained encoder: only the structure transformations differ
    plain.load_state_dict({k.replace(".self.inner.", ".self."): v for k, v in ssan.state_dict().items()
                           if not any(p in k for p in ("biaffine", "query_side", "key_side", "type_bias"))})
    with torch.no_grad():
        structured = ssan.predict(ssan.encode(batch), batch)
        reference = plain.predict(plain.encode(batch), batch)
        assert not torch.allclose(structured, reference, atol=1e-4)  # the structure bias is in effect
        saved = {k: v.clone() for k, v in ssan.state_dict().items()}
        for w in ssan.structured:
            for p in w.parameters(recurse=False):
                p.zero_()
        zero = ssan.encode(batch)
        assert torch.allclose(zero.H, plain.encode(batch).H, atol=1e-5)
        assert torch.allclose(ssan.predict(zero, batch), reference, atol=1e-5)
        ssan.load_state_dict(saved)


def test_a_document_scores_the_same_alone_and_in_a_padded_batch(ssan, docs, space):
    features = [ssan.featurize(d, i) for i, d in enumerate(docs)]
    with torch.no_grad():
        batch = collate(features, space.n_classes)
        together = ssan.predict(ssan.encode(batch), batch)
        alone = collate(features[2:], space.n_classes)
        single = ssan.predict(ssan.encode(alone), alone)
    assert torch.allclose(together[batch.pair_doc == 2], single, atol=1e-4)


def test_long_documents_use_windows_with_the_structure_of_each(ssan, docs, space):
    batch = collate([ssan.featurize(docs[0], 0)], space.n_classes)
    window, ssan.window = ssan.window, 12  # force several overlapping windows
    try:
        with torch.no_grad():
            encoded = ssan.encode(batch)
            logits = ssan.predict(encoded, batch)
    finally:
        ssan.window = window
    assert encoded.H.shape[1] == batch.token_ids.shape[1] and torch.isfinite(logits).all()
    assert all(w.structure is None for w in ssan.structured)  # cleared after the call


def test_unknown_structure_form_and_non_bert_encoders_are_clear_errors(space, docs):
    with pytest.raises(KireError, match="structure 'triaffine'"):
        model_class("ssan").create(space, {"structure": "triaffine"}, docs)
    with pytest.raises(KireError, match="no BERT-style self-attention"):
        add_structured_attention(torch.nn.Sequential(torch.nn.Linear(2, 2)), "biaffine")
