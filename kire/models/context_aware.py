"""Context-aware baseline (DocRED): a BiLSTM whose states attend to each other (self-attention)."""

from __future__ import annotations

import math

import torch
from torch import nn

from kire.models.lstm import run_lstm
from kire.models.word_model import WordREModel


class ContextAware(WordREModel):
    """H = ReLU(W [h_i; sum_j a_ij h_j]), h the BiLSTM states, a a masked scaled dot-product softmax."""

    name = "context_aware"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        d = self.hidden_size
        self.lstm = nn.LSTM(self.input_size, d, batch_first=True)
        self.lstm_reverse = nn.LSTM(self.input_size, d, batch_first=True)
        self.query = nn.Linear(2 * d, 2 * d, bias=False)
        self.project = nn.Linear(4 * d, d)

    def context_size(self) -> int:
        return self.settings["hidden_size"]

    def context(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = run_lstm(self.lstm, self.lstm_reverse, x, mask)                                   # [B, L, 2d]
        scores = self.query(h) @ h.transpose(1, 2) / math.sqrt(h.shape[-1])  # [B, L, L]
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        attended = torch.softmax(scores, dim=-1) @ h                       # [B, L, 2d]
        return torch.relu(self.project(torch.cat([h, attended], dim=-1)))
