"""LSTM and BiLSTM baselines (DocRED): a (bi)directional LSTM, then a ReLU projection to 128-d."""

from __future__ import annotations

import torch
from torch import nn

from kire.models.word_model import WordREModel


def reverse_within(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``x`` ``[B, L, ...]`` with each row's first ``lengths[b]`` positions reversed (padding stays last)."""
    L = x.shape[1]
    pos = torch.arange(L, device=x.device).expand(len(lengths), L)
    idx = torch.where(pos < lengths[:, None], lengths[:, None] - 1 - pos, pos)
    return x.gather(1, idx.view(*idx.shape, *([1] * (x.dim() - 2))).expand_as(x))


def run_lstm(forward: nn.LSTM, backward: nn.LSTM | None, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[B, L, hidden * directions]``: LSTMs over the real positions of ``x``.

    The backward LSTM reads each document reversed within its length, so padding (always at the
    end) never reaches a real position in either direction; this avoids packed sequences, whose
    backward pass is an order of magnitude slower on CPU.
    """
    out, _ = forward(x)
    if backward is None:
        return out
    lengths = mask.sum(1)
    back, _ = backward(reverse_within(x, lengths))
    return torch.cat([out, reverse_within(back, lengths)], dim=-1)


class LSTM(WordREModel):
    """H = ReLU(W [LSTM states]), ``hidden_size`` units per direction."""

    name = "lstm"
    bidirectional = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        d = self.hidden_size
        self.lstm = nn.LSTM(self.input_size, d, batch_first=True)
        self.lstm_reverse = nn.LSTM(self.input_size, d, batch_first=True) if self.bidirectional else None
        self.project = nn.Linear(d * (2 if self.bidirectional else 1), d)

    def context_size(self) -> int:
        return self.settings["hidden_size"]

    def context(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.project(run_lstm(self.lstm, self.lstm_reverse, x, mask)))


class BiLSTM(LSTM):
    """H = ReLU(W [forward; backward LSTM states])."""

    name = "bilstm"
    bidirectional = True
