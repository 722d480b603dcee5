"""The interface every RE model implements: eq. 1 of the paper split at H.

``encoded = model.encode(batch)`` gives :class:`Encoded`: token states ``H`` ``[B, L, d]``
(``d = model.hidden_size``) and what else the model's prediction reads (ATLOP: its attention);
``logits = model.predict(encoded, batch)`` gives ``[P, R]`` pair logits. The knowledge-injection
layer replaces ``encoded.H`` between the two calls (``encoded._replace(H=H')``), so it works with
every model without touching model code.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import torch
from torch import nn

from kire.docs.model import Document
from kire.errors import KireError
from kire.models.batch import Batch
from kire.models.features import DocFeatures, LabelSpace

# Model settings the workflow gives every model (rule train: embed.glove as word_vectors, train.encoder
# as encoder); a model that has no such setting ignores them.
WORKFLOW_SETTINGS = ("word_vectors", "encoder")


class Encoded(NamedTuple):
    """Output of :meth:`REModel.encode`.

    ``H``: token states ``[B, L, d]``, the representation the injection layer rewrites.
    ``attention``: ``[B, heads, L, L]`` last-layer encoder attention of models whose prediction pools
    context with it (ATLOP), None otherwise; the injection layer leaves it untouched.
    """

    H: torch.Tensor
    attention: torch.Tensor | None = None


class REModel(nn.Module):
    """Base class of the document-level RE models (see the module docstring for the contract)."""

    name: ClassVar[str]
    # The decision threshold when the model fixes its own (ATLOP's learned class-0 threshold,
    # applied to margins); None: theta is tuned on dev over the sorted scores.
    fixed_theta: ClassVar[float | None] = None
    defaults: ClassVar[dict[str, Any]]  # the model's settings and their defaults (settings_over_defaults)

    def __init__(self, space: LabelSpace):
        super().__init__()
        self.space = space

    hidden_size: int  # d, the width of H

    def encode(self, batch: Batch) -> Encoded:
        """The encoding layer: :class:`Encoded` (H ``[B, L, d]``, attention or None)."""
        raise NotImplementedError

    def predict(self, encoded: Encoded, batch: Batch) -> torch.Tensor:
        """``[P, R]``: the prediction layer's logits for every entity pair of the batch."""
        raise NotImplementedError

    def forward(self, batch: Batch) -> torch.Tensor:
        return self.predict(self.encode(batch), batch)

    def loss(self, logits: torch.Tensor, batch: Batch) -> torch.Tensor:
        """Scalar relation loss L_re: binary cross-entropy over the R-1 relations of real pairs."""
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 1:], batch.labels[:, 1:])

    def scores(self, logits: torch.Tensor) -> torch.Tensor:
        """``[P, R-1]``: a score per relation; relation r is predicted when its score >= theta."""
        return torch.sigmoid(logits[:, 1:])

    def featurize(self, doc: Document, index: int, file: str = "documents") -> DocFeatures:
        """The document in this model's coordinates."""
        raise NotImplementedError

    def spec(self) -> dict[str, Any]:
        """JSON-serializable constructor settings: ``from_spec(spec())`` rebuilds the architecture."""
        raise NotImplementedError

    @classmethod
    def settings_over_defaults(cls, settings: dict[str, Any]) -> dict[str, Any]:
        """``cls.defaults`` with the values of ``settings`` for its keys.

        Raises KireError naming a key that is neither one of the model's settings nor one of
        :data:`WORKFLOW_SETTINGS` (which the workflow passes to every model, and a model without
        them ignores): a misspelled setting would otherwise be dropped without a word."""
        unknown = sorted(k for k in settings if k not in cls.defaults and k not in WORKFLOW_SETTINGS)
        if unknown:
            raise KireError(f"model {cls.name!r}: unknown model setting(s) {', '.join(map(repr, unknown))} "
                            f"(config train.model_settings.{cls.name}); its settings: {', '.join(sorted(cls.defaults))}")
        return {**cls.defaults, **{k: v for k, v in settings.items() if k in cls.defaults}}

    @classmethod
    def create(cls, space: LabelSpace, settings: dict[str, Any], documents: list[Document]) -> "REModel":
        """A freshly initialised model for ``documents`` (reads word vectors or encoder weights)."""
        raise NotImplementedError

    @classmethod
    def from_spec(cls, space: LabelSpace, spec: dict[str, Any]) -> "REModel":
        """The architecture of a saved model, weights to be loaded from its checkpoint."""
        raise NotImplementedError


def entity_offsets(batch: Batch) -> torch.Tensor:
    """``[B]``: row of each document's first entity among the batch's entities."""
    return torch.cumsum(batch.n_entities, 0) - batch.n_entities


def mention_entity_rows(batch: Batch) -> torch.Tensor:
    """``[M]``: each mention's entity row among the batch's entities (as in :func:`entity_mean`)."""
    return entity_offsets(batch)[batch.mention_doc] + batch.mention_entity


def mentions_by_entity(values: torch.Tensor, rows: torch.Tensor, n_entities: int,
                       fill: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``([E, n, ...], [E])``: ``values`` ``[M, ...]`` of each entity's mentions (``rows``: each
    mention's entity row, :func:`mention_entity_rows`) in mention order, padded with ``fill`` to n,
    the most mentions of one entity; and each entity's mention count."""
    order = torch.argsort(rows, stable=True)
    counts = torch.bincount(rows, minlength=n_entities)
    slot = torch.arange(len(rows), device=rows.device) - (torch.cumsum(counts, 0) - counts)[rows[order]]
    padded = values.new_full((n_entities, int(counts.max()), *values.shape[1:]), fill)
    padded[rows[order], slot] = values[order]
    return padded, counts


def mention_token_index(batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(doc, position, entity row)``, each ``[T]``: every H position inside a mention span."""
    lengths = batch.mention_end - batch.mention_start
    total = int(lengths.sum())
    starts = torch.cumsum(lengths, 0) - lengths
    within = torch.arange(total, device=lengths.device) - starts.repeat_interleave(lengths)
    position = batch.mention_start.repeat_interleave(lengths) + within
    doc = batch.mention_doc.repeat_interleave(lengths)
    entity = mention_entity_rows(batch).repeat_interleave(lengths)
    return doc, position, entity


def entity_mean(H: torch.Tensor, batch: Batch) -> torch.Tensor:
    """``[E, d]``: each entity's mean over the states of all its mention tokens (DocRED baselines)."""
    doc, position, entity = mention_token_index(batch)
    n_rows = int(batch.n_entities.sum())
    sums = H.new_zeros(n_rows, H.shape[-1]).index_add_(0, entity, H[doc, position])
    counts = H.new_zeros(n_rows).index_add_(0, entity, torch.ones_like(entity, dtype=H.dtype))
    return sums / counts.clamp(min=1).unsqueeze(1)


def pair_rows(batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """``([P], [P])``: entity rows (as in :func:`entity_mean`) of each pair's head and tail."""
    offsets = entity_offsets(batch)[batch.pair_doc]
    return offsets + batch.pair_head, offsets + batch.pair_tail
