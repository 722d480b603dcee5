"""Where the knowledge enters (config ``inject.position``, the variant setting ``position``).

``after_encoder`` (default, the paper's eq. 1): the layer rewrites the encoder's output H.

``before_encoder`` (the original release's design for its four word baselines): the layer rewrites
the encoder's input states ``x = [LP(w); E_id; E_type]`` ``[B, L, d_in]``; the encoder then runs
twice with the same weights, on ``x`` (the plain stream, H) and on the injected ``x'`` (H_k), and
:class:`StreamFusion` combines the two after it. Only models that split ``encode`` at the encoder's
input (kire.models.registry.INPUT_STREAM_MODELS) support it. docs/inject.md, "Where the knowledge
enters", has the release's code this follows, where we differ and the measurements.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from kire.errors import KireError
from kire.inject.layer import InjectConfig
from kire.models.registry import INPUT_STREAM_MODELS
from kire.train.variant_table import INJECT_DEFAULTS

AFTER_ENCODER, BEFORE_ENCODER = "after_encoder", "before_encoder"
POSITIONS = (AFTER_ENCODER, BEFORE_ENCODER)


class StreamFusion(nn.Module):
    """``H + W_2 ReLU(W_1 [H; H_k] + b_1) + b_2``: ``[B, L, d]`` from the plain stream's H and the
    injected stream's H_k (both ``[B, L, d]``).

    The release fuses with ``MLP([H; H_k])`` in place of H, which changes the base model's output
    before any training; here the same MLP is a residual update whose output layer (W_2, b_2) starts
    at zero, so a fresh fusion returns H exactly (H + 0) and stage 2 starts at the base model.
    W_2 receives a gradient at the first step (the hidden layer's output is not zero), and W_1 from
    the second step on.
    """

    def __init__(self, d: int):
        super().__init__()
        self.hidden = nn.Linear(2 * d, d)
        self.out = nn.Linear(d, d)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, H: torch.Tensor, H_k: torch.Tensor) -> torch.Tensor:
        return H + self.out(torch.relu(self.hidden(torch.cat([H, H_k], dim=-1))))


class InputInjection(nn.Module):
    """The ``before_encoder`` parts the Pipeline calls (kire.train.pipeline): ``self(x, batch, kbatch)``
    runs the injection module ``inject`` on the input states ``x`` ``[B, L, d_in]`` and returns what
    it returns (``x'`` or ``(x', losses)``); ``fuse(H, H_k)`` combines the encoder's two streams.

    ``x`` is detached first, as in the release: the injected stream trains the layer and the shared
    encoder, while the input embeddings learn from the plain stream only.
    """

    def __init__(self, inject: nn.Module, d_hidden: int):
        super().__init__()
        self.layer = inject
        self.fuse = StreamFusion(d_hidden)

    def forward(self, x: torch.Tensor, batch, kbatch):
        return self.layer(x.detach(), batch, kbatch)


def position_of(settings: dict, model) -> str:
    """The variant setting ``position`` (default ``after_encoder``), checked against ``model``;
    KireError names config key ``inject.position``, the value and the models that support it."""
    position = settings.get("position", INJECT_DEFAULTS["position"])
    if position not in POSITIONS:
        raise KireError(f"config key 'inject.position' (variant setting 'position'): {position!r} is not one of "
                        f"{', '.join(POSITIONS)}")
    if position == BEFORE_ENCODER and model.name not in INPUT_STREAM_MODELS:
        raise KireError(f"config key 'inject.position': {BEFORE_ENCODER!r} needs a model whose encoder reads word "
                        f"input states ({', '.join(INPUT_STREAM_MODELS)}); model {model.name!r} supports only "
                        f"{AFTER_ENCODER!r}")
    return position


def layer_width(model, position: str, config: InjectConfig, overrides: dict) -> tuple[int, InjectConfig]:
    """``(d_token, config)`` of the layer at ``position``: the model's H size after the encoder, its
    input size ``d_in`` before it.

    ``d_in`` (e.g. 50 + 20 + 20 = 90 with the bundled GloVe) need not be divisible by the default 4
    token attention heads; when ``heads_token`` is not among the user's layer ``overrides``, the
    largest head count up to the default that divides ``d_in`` is used (90: 3 heads). A head count
    that is not a positive integer, or one the user set that does not divide the width at
    ``position``, is a KireError naming ``inject.layer.heads_token``.
    """
    heads = config.heads_token
    if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
        raise KireError(f"config key 'inject.layer.heads_token': {heads!r} is not a positive whole number of heads")
    if position == AFTER_ENCODER:
        if model.hidden_size % heads:
            raise KireError(f"config key 'inject.layer.heads_token': {heads} heads do not divide the {model.name} "
                            f"hidden size {model.hidden_size} that inject.position 'after_encoder' injects into")
        return model.hidden_size, config
    d_in = model.input_size
    if d_in % heads == 0:
        return d_in, config
    if "heads_token" in overrides:
        raise KireError(f"config key 'inject.layer.heads_token': {heads} heads do not divide the "
                        f"{model.name} input size {d_in} that inject.position 'before_encoder' injects into")
    return d_in, replace(config, heads_token=max(h for h in range(1, heads + 1) if d_in % h == 0))
