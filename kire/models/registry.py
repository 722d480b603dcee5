"""The model registry: adding a model is one module plus one entry here."""

from __future__ import annotations

import importlib

from kire.errors import KireError

# name -> "module:Class"; imported on demand so that listing models stays light.
MODELS: dict[str, str] = {
    "cnn": "kire.models.cnn:CNN",
    "lstm": "kire.models.lstm:LSTM",
    "bilstm": "kire.models.lstm:BiLSTM",
    "context_aware": "kire.models.context_aware:ContextAware",
    "atlop": "kire.models.atlop:ATLOP",
    "ssan": "kire.models.ssan:SSAN",
    "glre": "kire.models.glre:GLRE",
}

# The models whose encode splits at the encoder's input (WordREModel.embed, then .contextualize), the
# only ones that config inject.position: before_encoder can feed; a test keeps it equal to the classes.
INPUT_STREAM_MODELS: tuple[str, ...] = ("cnn", "lstm", "bilstm", "context_aware")


def model_class(name: str):
    """The :class:`~kire.models.base.REModel` subclass registered as ``name``."""
    try:
        module, cls = MODELS[name].split(":")
    except KeyError:
        raise KireError(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}") from None
    return getattr(importlib.import_module(module), cls)
