"""CNN baseline (DocRED): three 1-D convolutions of kernel 3 over the word inputs."""

from __future__ import annotations

import torch
from torch import nn

from kire.models.word_model import WORD_DEFAULTS, WordREModel


class CNN(WordREModel):
    """H = three stacked ReLU convolutions (kernel 3, ``hidden_size`` channels) over the inputs."""

    name = "cnn"
    defaults = {**WORD_DEFAULTS, "hidden_size": 200}  # DocRED's CNN uses 200 channels

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        d = self.hidden_size
        self.convs = nn.ModuleList(
            nn.Conv1d(self.input_size if i == 0 else d, d, kernel_size=3, padding=1) for i in range(3)
        )

    def context_size(self) -> int:
        return self.settings["hidden_size"]

    def context(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(1).to(x.dtype)  # [B, 1, L]: padding must not leak into real positions
        h = x.transpose(1, 2)
        for i, conv in enumerate(self.convs):
            h = torch.relu(conv(h)) * keep
            if i < len(self.convs) - 1:
                h = self.dropout(h)
        return h.transpose(1, 2)
