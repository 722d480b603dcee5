"""Two-stage training gives the knowledge-injection layer its own learning rate."""

from __future__ import annotations

import torch
from torch import nn

from kire.train.loop import optimizer_for
from kire.train.settings import TrainConfig
from kire.train.pipeline import Pipeline, VariantParts


class TinyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(3, 3)   # stands where a pretrained transformer sits
        self.classifier = nn.Linear(3, 2)


def lr_of(optimizer: torch.optim.Optimizer, param: torch.Tensor) -> float:
    return next(g["lr"] for g in optimizer.param_groups if any(p is param for p in g["params"]))


def test_inject_parameters_get_inject_lr_and_default_to_lr():
    pipeline = Pipeline(TinyModel(), VariantParts(inject=nn.Linear(3, 3)))
    opt = optimizer_for(pipeline, TrainConfig(lr=1e-3, encoder_lr=1e-5, inject_lr=2e-4))
    assert lr_of(opt, pipeline.model.classifier.weight) == 1e-3
    assert lr_of(opt, pipeline.model.encoder.weight) == 1e-5
    assert lr_of(opt, pipeline.inject.weight) == 2e-4
    assert sum(len(g["params"]) for g in opt.param_groups) == len(list(pipeline.parameters()))

    opt = optimizer_for(pipeline, TrainConfig(lr=1e-3, encoder_lr=1e-5))
    assert lr_of(opt, pipeline.inject.weight) == 1e-3


def test_base_pipeline_has_no_inject_group():
    pipeline = Pipeline(TinyModel(), VariantParts())
    opt = optimizer_for(pipeline, TrainConfig(inject_lr=2e-4))
    assert sorted(g["lr"] for g in opt.param_groups) == sorted([TrainConfig().lr, TrainConfig().encoder_lr])

