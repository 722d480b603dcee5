"""LSTM and BiLSTM baselines (DocRED): a (bi)directional LSTM, then a ReLU projection to 128-d."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from kire.models.word_model import WordREModel


def run_lstm(lstm: nn.LSTM, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[B, L, hidden * directions]``: ``lstm`` over the real positions of ``x`` (zeros after)."""
    lengths = mask.sum(1).cpu()
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, _ = lstm(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out


class LSTM(WordREModel):
    """H = ReLU(W [LSTM states]), ``hidden_size`` units per direction."""

    name = "lstm"
    bidirectional = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        d = self.hidden_size
        self.lstm = nn.LSTM(self.input_size, d, batch_first=True, bidirectional=self.bidirectional)
        self.project = nn.Linear(d * (2 if self.bidirectional else 1), d)

    def context_size(self) -> int:
        return self.settings["hidden_size"]

    def context(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.project(run_lstm(self.lstm, x, mask)))


class BiLSTM(LSTM):
    """H = ReLU(W [forward; backward LSTM states])."""

    name = "bilstm"
    bidirectional = True
