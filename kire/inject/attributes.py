"""Attribute representation of KG entities (section 4.2, eq. 8) and the "w/o attr." initialisation.

Shapes: N nodes, A attribute slots, d_auto the AutoEncoder code size, T label words, d_ent output.
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
        self.CNN1D = nn.Conv1d(d_auto, d_ent, kernel_size, padding=kernel_size // 2)

    def forward(self, codes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """codes [N, A, d_auto], mask [N, A] bool -> h^0 [N, d_ent]."""
        if self.CNN1D.kernel_size[0] == 1:
            return self._pointwise(codes, mask)
        codes = codes * mask.unsqueeze(-1).to(codes.dtype)  # padding slots contribute zeros to wider kernels
        conv = torch.relu(self.CNN1D(codes.transpose(1, 2))).transpose(1, 2)  # [N, A, d_ent]
        return masked_max(conv, mask)

    def _pointwise(self, codes: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Width-1 kernels on the real slots only, then max per node (same result, no padding work).

        ReLU outputs are >= 0, so a max starting from 0 equals the masked max, and a node without
        attributes gets 0.
        """
        node, _ = mask.nonzero(as_tuple=True)
        rows = codes[mask]  # [T, d_auto]
        conv = torch.relu(rows @ self.CNN1D.weight[:, :, 0].t() + self.CNN1D.bias)  # [T, d_ent]
        out = conv.new_zeros(codes.shape[0], conv.shape[1])
        return out.scatter_reduce(0, node.unsqueeze(1).expand_as(conv), conv, reduce="amax", include_self=True)


class LabelEncoder(nn.Module):
    """The "w/o attr." ablation: h^0_{e_i} = W MaxPooling(word vectors of e_i's label) + b.

    The projection maps the word-vector size onto d_ent so that the graph encoder is unchanged.
    """

    def __init__(self, d_word: int, d_ent: int = 100):
        super().__init__()
        self.W = nn.Linear(d_word, d_ent)

    def forward(self, vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """vectors [N, T, d_word], mask [N, T] bool -> h^0 [N, d_ent]."""
        return self.W(masked_max(vectors, mask))
