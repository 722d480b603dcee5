"""Attribute representation of KG entities (section 4.2, eq. 8) and the "w/o attr." initialisation.

Shapes: N nodes, Tc attribute codes of all nodes (node by node), A attribute slots of a padded node,
d_auto the AutoEncoder code size, T label words, d_ent output.
"""

from __future__ import annotations

import torch
from torch import nn


def masked_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Return the max over dim 1 of x [N, A, d] where mask [N, A]; rows without any slot give 0."""
    if x.shape[1] == 0:
        return x.new_zeros(x.shape[0], x.shape[2])
    filled = x.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(dim=1)
    return torch.where(mask.any(dim=1, keepdim=True), filled, torch.zeros_like(filled))


class AttributeEncoder(nn.Module):
    """h^0_{e_i} = MaxPooling(CNN1D(||_j q_j)) (eq. 8).

    The stacked attribute codes q_j [A, d_auto] are convolved along the attribute axis with
    ``d_ent`` kernels of width ``kernel_size`` (ReLU), then max-pooled over the real slots. The
    default width 1 makes the representation invariant to the order of the attributes, which is
    the property the paper asks of the 1D convolution.
    """

    def __init__(self, d_auto: int = 100, d_ent: int = 100, kernel_size: int = 1):
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError("kernel_size must be odd so that every slot keeps its position")
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.CNN1D = nn.Conv1d(d_auto, d_ent, kernel_size, padding=kernel_size // 2)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw CNN1D's kernels and biases (torch's Conv1d default)."""
        self.CNN1D.reset_parameters()

    def __repr__(self) -> str:
        c = self.CNN1D
        return f"{type(self).__name__}({c.in_channels}, {c.out_channels}, kernel_size={c.kernel_size[0]})"

    def forward(self, codes: torch.Tensor, ptr: torch.Tensor) -> torch.Tensor:
        """codes [Tc, d_auto] node by node, ptr [N + 1] (node k's codes are rows ptr[k]:ptr[k + 1])
        -> h^0 [N, d_ent]; a node without attributes gets 0.

        Width-1 kernels see one slot each, so they run on the real codes only; wider kernels run on
        the codes padded per node (zeros beyond a node's last code). ReLU outputs are >= 0, so a
        max starting from 0 equals the max over a node's slots.
        """
        lengths = ptr.diff()
        if self.CNN1D.kernel_size[0] == 1:
            conv = torch.relu(codes @ self.CNN1D.weight[:, :, 0].t() + self.CNN1D.bias)  # [Tc, d_ent]
        else:
            x, mask = padded_by_node(codes, lengths)
            conv = torch.relu(self.CNN1D(x.transpose(1, 2))).transpose(1, 2)[mask]  # real slots, [Tc, d_ent]
        return per_node(conv, lengths, "max")


def per_node(rows: torch.Tensor, lengths: torch.Tensor, reduce: str) -> torch.Tensor:
    """Reduce ragged rows [T, d] node by node (``lengths`` [N]) with ``reduce`` ("max" or "mean")
    -> [N, d]; a node without rows gets 0 (for "max" that is exact only for rows >= 0)."""
    if not len(lengths):  # segment_reduce rejects zero segments
        return rows.new_zeros(0, rows.shape[1])
    return torch.segment_reduce(rows, reduce, lengths=lengths, initial=0.0)


def padded_by_node(rows: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x [N, A, d], mask [N, A])``: ragged rows [T, d] (node by node, ``lengths`` [N]) padded with
    zeros to the longest node (A >= 1)."""
    A = max(int(lengths.max()), 1) if len(lengths) else 1
    mask = torch.arange(A, device=rows.device) < lengths.unsqueeze(1)
    x = rows.new_zeros(len(lengths), A, rows.shape[1])
    x[mask] = rows
    return x, mask


class LabelEncoder(nn.Module):
    """The "w/o attr." ablation: h^0_{e_i} = W MaxPooling(word vectors of e_i's label) + b.

    The projection maps the word-vector size onto d_ent so that the graph encoder is unchanged.
    """

    def __init__(self, d_word: int, d_ent: int = 100):
        super().__init__()
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.W = nn.Linear(d_word, d_ent)
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W and b (torch's Linear default)."""
        self.W.reset_parameters()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.W.in_features}, {self.W.out_features})"

    def forward(self, vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """vectors [N, T, d_word], mask [N, T] bool -> h^0 [N, d_ent]."""
        return self.W(masked_max(vectors, mask))
