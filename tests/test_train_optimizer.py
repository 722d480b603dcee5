"""Two-stage training gives the knowledge-injection layer its own learning rate; the optimiser and its
learning-rate schedule follow the per-model settings (ATLOP: AdamW, 6% warm-up, linear decay)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from kire.train.loop import optimizer_for, schedule_for
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



def test_groups_are_named_and_adamw_is_chosen_per_setting():
    pipeline = Pipeline(TinyModel(), VariantParts(inject=nn.Linear(3, 3)))
    opt = optimizer_for(pipeline, TrainConfig(optimizer="adamw", adam_eps=1e-6))
    assert isinstance(opt, torch.optim.AdamW) and [g["name"] for g in opt.param_groups] == ["base", "encoder", "inject"]
    assert all(g["eps"] == 1e-6 and g["weight_decay"] == 0.0 for g in opt.param_groups)
    assert type(optimizer_for(pipeline, TrainConfig())) is torch.optim.Adam


def _rates(cfg: TrainConfig, steps_per_epoch: int) -> list[tuple[float, float]]:
    """(base lr, encoder lr) before each optimiser step and after the last, as the loop steps them."""
    pipeline = Pipeline(TinyModel(), VariantParts())
    opt = optimizer_for(pipeline, cfg)
    schedule = schedule_for(opt, cfg, steps_per_epoch)
    rates = []
    for _ in range(cfg.epochs * steps_per_epoch):
        rates.append(tuple(g["lr"] for g in opt.param_groups))
        opt.step()
        schedule.step()
    return rates + [tuple(g["lr"] for g in opt.param_groups)]


def test_atlop_schedule_warms_up_linearly_then_decays_linearly_to_zero():
    # 5 epochs x 10 batches = 50 steps, 6% warm-up = 3 steps (int, as ATLOP's authors count)
    cfg = TrainConfig(epochs=5, lr=1e-4, encoder_lr=5e-5, optimizer="adamw", warmup_ratio=0.06, decay="linear")
    rates = _rates(cfg, 10)
    expected = {0: 0.0, 1: 1 / 3, 2: 2 / 3, 3: 1.0, 4: 46 / 47, 26: 24 / 47, 49: 1 / 47, 50: 0.0}
    for step, factor in expected.items():
        assert rates[step] == pytest.approx((1e-4 * factor, 5e-5 * factor), abs=1e-15), step


def test_word_baselines_keep_a_constant_rate_and_warm_up_alone_stays_flat_after():
    assert set(_rates(TrainConfig(epochs=2, lr=5e-4, encoder_lr=5e-5), 3)) == {(5e-4, 5e-5)}
    rates = _rates(TrainConfig(epochs=2, lr=4e-4, warmup_ratio=0.5), 4)  # 8 steps, 4 warming up
    assert [r[0] for r in rates] == pytest.approx([0.0, 1e-4, 2e-4, 3e-4] + [4e-4] * 5)
