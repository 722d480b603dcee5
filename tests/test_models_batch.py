"""Moving a batch between devices."""

from __future__ import annotations

import torch


def test_moved_to_copies_tensor_fields_and_keeps_the_rest():
    from dataclasses import dataclass

    from kire.models.batch import moved_to

    @dataclass
    class Holder:
        x: torch.Tensor
        names: list

    original = Holder(torch.arange(3), ["a"])
    moved = moved_to(original, "cpu")
    assert moved is not original and moved.names is original.names
    assert torch.equal(moved.x, original.x)
