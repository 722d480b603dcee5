"""The training pipeline: a base model plus what its variant adds, and how a variant is built.

A variant is a factory named in :data:`kire.train.variant_table.VARIANTS` as ``"module:function"``; it is called as
``factory(model, settings, documents)`` (``documents``: split name -> list of Document) and returns
:class:`VariantParts`. Variant ``base`` adds nothing. The knowledge-injection variant returns an
``inject`` module that sits between ``encode`` and ``predict`` (eq. 1 of the paper):

    encoded = model.encode(batch)        # Encoded(H, attention)
    H = inject(encoded.H, batch, kbatch)  # or (H, {"name": weighted extra loss, ...})
    logits = model.predict(encoded._replace(H=H), batch)

With ``position`` ``before_encoder`` (the original release's design, word models only: kire.inject.streams)
the knowledge enters the encoder's input states instead, and the encoder runs on both streams:

    x = model.embed(batch)                                  # [B, L, d_in]
    encoded = model.contextualize(x, batch)                 # the plain stream's H
    x_k = inject(x, batch, kbatch)                          # or (x_k, {extra losses})
    H = inject.fuse(encoded.H, model.contextualize(x_k, batch).H)

``kbatch`` comes from ``parts.batch_inputs(split, batch)`` (e.g. KG sub-graphs of the batch's
documents; ``batch.doc_index`` indexes the split's documents). Extra loss terms are returned by
``inject`` or computed by ``parts.loss_terms``; the training loop adds them to the relation loss.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from kire.docs.model import Document
from kire.errors import KireError
from kire.models.base import REModel
from kire.models.batch import Batch
from kire.train.variant_table import VARIANTS

LossTerm = Callable[[Batch, torch.Tensor, torch.Tensor], torch.Tensor]  # (batch, H, logits) -> scalar


@dataclass
class VariantParts:
    """What a variant adds to a model.

    ``inject``: module called as ``inject(H, batch, kbatch)``, returning H ``[B, L, d]`` or
    ``(H, {name: scalar loss})``; its parameters are trained and saved with the model.
    ``batch_inputs``: ``(split, batch) -> kbatch``, the extra per-batch inputs of ``inject``.
    ``loss_terms``: ``{name: (batch, H, logits) -> scalar}`` added to the loss during training.
    ``init_from``: a saved model folder whose weights initialise the model part (two-stage
    training: base model first, then fine-tune with the layer).
    ``spec``: JSON-serializable settings stored in model.json so the variant can be rebuilt.
    ``position``: ``after_encoder`` (``inject`` rewrites H) or ``before_encoder`` (``inject`` rewrites
    the model's input states and ``inject.fuse(H, H_k)`` combines the encoder's two streams; the
    model must provide ``embed`` and ``contextualize``, as kire.models.word_model.WordREModel does).
    """

    inject: nn.Module | None = None
    batch_inputs: Callable[[str, Batch], Any] | None = None
    loss_terms: dict[str, LossTerm] = field(default_factory=dict)
    init_from: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    position: str = "after_encoder"


def base_variant(model: REModel, settings: dict[str, Any], documents: dict[str, list[Document]]) -> VariantParts:
    """The plain model: encode then predict."""
    if settings:
        raise KireError(f"variant 'base' takes no settings, got {sorted(settings)}")
    return VariantParts()


def continue_variant(model: REModel, settings: dict[str, Any], documents: dict[str, list[Document]]) -> VariantParts:
    """The ``continue`` control: stage 2 that adds nothing. The model starts from the base run in
    setting ``init_from`` and trains on with stage 2's fresh optimiser, learning rates, epochs,
    patience and model selection, exactly as a knowledge variant does, so that the difference
    between the two is the knowledge and not the extra training."""
    unknown = sorted(set(settings) - {"init_from"})
    if unknown:
        raise KireError(f"variant 'continue' takes only 'init_from', got {unknown}")
    if not settings.get("init_from"):
        raise KireError("variant 'continue' needs setting 'init_from' (the base run folder it continues)")
    return VariantParts(init_from=settings["init_from"])


def build_variant(name: str, model: REModel, settings: dict[str, Any],
                  documents: dict[str, list[Document]]) -> VariantParts:
    """The parts of variant ``name`` for ``model``."""
    try:
        module, func = VARIANTS[name].factory.split(":")
    except KeyError:
        raise KireError(f"unknown variant {name!r}; known: {', '.join(sorted(VARIANTS))}") from None
    return getattr(importlib.import_module(module), func)(model, settings, documents)


class Pipeline(nn.Module):
    """A model with its variant's parts; ``state_dict`` holds both (keys ``model.*``, ``inject.*``)."""

    def __init__(self, model: REModel, parts: VariantParts):
        super().__init__()
        self.model = model
        self.inject = parts.inject
        self.parts = parts

    def forward(self, batch: Batch, split: str) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """``(H [B, L, d], logits [P, R], extra losses)`` of a batch of split ``split``."""
        extra: dict[str, torch.Tensor] = {}
        if self.inject is None:
            encoded = self.model.encode(batch)
        elif self.parts.position == "before_encoder":
            x = self.model.embed(batch)
            encoded = self.model.contextualize(x, batch)
            x_k, extra = self._injected(x, batch, split)
            encoded = encoded._replace(H=self.inject.fuse(encoded.H, self.model.contextualize(x_k, batch).H))
        else:
            encoded = self.model.encode(batch)
            H, extra = self._injected(encoded.H, batch, split)
            encoded = encoded._replace(H=H)
        logits = self.model.predict(encoded, batch)
        return encoded.H, logits, extra

    def _injected(self, states: torch.Tensor, batch: Batch, split: str) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """``(states', extra losses)``: the variant's ``inject`` over ``states`` (H, or the input states)."""
        kbatch = self.parts.batch_inputs(split, batch) if self.parts.batch_inputs else None
        out = self.inject(states, batch, kbatch)
        return (out[0], dict(out[1])) if isinstance(out, tuple) else (out, {})

    def losses(self, batch: Batch, split: str = "train") -> dict[str, torch.Tensor]:
        """``{"re": L_re, ...extra terms}`` of a labeled batch; the training loss is their sum."""
        H, logits, extra = self(batch, split)
        terms = {"re": self.model.loss(logits, batch), **extra}
        for name, term in self.parts.loss_terms.items():
            terms[name] = term(batch, H, logits)
        return terms
