"""Relation triple encoding (section 4.2): R-GAT (eq. 9) and the alternative graph encoders.

Shapes: N nodes, E relation triples (edges head -> tail), R relation types, d = d_ent.

Every encoder sees the relation triples in both directions (inverse triples get their own relation
ids R..2R-1) so that a head entity hears its tails as well as the other way round. R-GAT also gets
one self-loop per node with relation id 2R: an entity without neighbours in the subgraph keeps its
attribute representation instead of collapsing to sigma(0).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch_geometric.nn import GATConv, GCNConv, MessagePassing, RGCNConv
from torch_geometric.utils import softmax

GRAPH_ENCODERS = ("rgat", "gcn", "gat", "rgcn")


def with_inverse_edges(edge_index: torch.Tensor, edge_type: torch.Tensor, n_relations: int,
                       n_nodes: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Return edges plus their inverses (type + R) and, if ``n_nodes`` is given, self-loops (type 2R).

    edge_index [2, E], edge_type [E] -> [2, 2E (+N)], [2E (+N)].
    """
    index = [edge_index, edge_index.flip(0)]
    types = [edge_type, edge_type + n_relations]
    if n_nodes is not None:
        loop = torch.arange(n_nodes, device=edge_index.device)
        index.append(torch.stack([loop, loop]))
        types.append(torch.full((n_nodes,), 2 * n_relations, dtype=torch.long, device=edge_index.device))
    return torch.cat(index, dim=1), torch.cat(types)


class RGATConv(MessagePassing):
    """One R-GAT layer k with B heads in parallel (eq. 9).

    e_ij^(k,b) = W_out^(k,b)T [W_in^(k,b) h_i; W_in^(k,b) h_j; M(r_ij)],
    alpha_ij^(k,b) = softmax over j in U_i of LeakyReLU(e_ij^(k,b)),
    h_i^(k+1) = 1/B sum_b sigma(sum_{l in U_i} alpha_il^(k,b) W_in^(k,b) h_l), sigma = ELU.
    """

    def __init__(self, d_in: int, d_out: int, n_relations: int, heads: int = 2, d_rel: int = 100,
                 negative_slope: float = 0.2):
        super().__init__(aggr="add", node_dim=0)
        self.heads, self.d_out, self.negative_slope = heads, d_out, negative_slope
        self.W_in = nn.Linear(d_in, heads * d_out, bias=False)
        self.M = nn.Embedding(n_relations, d_rel)
        self.W_out = nn.Parameter(torch.empty(heads, 2 * d_out + d_rel))
        nn.init.xavier_uniform_(self.W_out)

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor) -> torch.Tensor:
        """h [N, d_in], edge_index [2, E] (source j -> target i), edge_type [E] -> [N, d_out]."""
        d = self.d_out
        x = self.W_in(h).view(-1, self.heads, d)  # W_in^(k,b) h, [N, B, d]
        # W_out^T [W_in h_i; W_in h_j; M(r)] split into its three blocks: per-node and per-relation
        # scores computed once, then summed per edge
        s_i = (x * self.W_out[:, :d]).sum(-1)           # [N, B]
        s_j = (x * self.W_out[:, d:2 * d]).sum(-1)      # [N, B]
        s_r = self.M.weight @ self.W_out[:, 2 * d:].t()  # [R, B]
        out = self.propagate(edge_index, x=x, s_i=s_i, s_j=s_j, s_r=s_r[edge_type])  # [N, B, d]
        return F.elu(out).mean(dim=1)

    def message(self, x_j: torch.Tensor, s_i_i: torch.Tensor, s_j_j: torch.Tensor, s_r: torch.Tensor,
                index: torch.Tensor, ptr: torch.Tensor | None, size_i: int | None) -> torch.Tensor:
        e = s_i_i + s_j_j + s_r  # e_ij^(k,b), [E, B]
        alpha = softmax(F.leaky_relu(e, self.negative_slope), index, ptr, size_i)
        return alpha.unsqueeze(-1) * x_j


class GraphEncoder(nn.Module):
    """K graph layers over the KG subgraph: h^0 [N, d] -> h^K [N, d] (the KG representations h_e).

    ``kind`` is "rgat" (the paper's eq. 9) or one of torch-geometric's GCN, GAT, R-GCN layers, the
    alternatives compared in the paper's Fig. 4.
    """

    def __init__(self, d_ent: int, n_relations: int, kind: str = "rgat", layers: int = 3, heads: int = 2,
                 d_rel: int = 100):
        super().__init__()
        if kind not in GRAPH_ENCODERS:
            raise ValueError(f"graph encoder must be one of {GRAPH_ENCODERS}, not {kind!r}")
        self.kind, self.n_relations = kind, n_relations
        if kind == "rgat":
            make = lambda: RGATConv(d_ent, d_ent, 2 * n_relations + 1, heads, d_rel)  # noqa: E731
        elif kind == "rgcn":
            make = lambda: RGCNConv(d_ent, d_ent, 2 * n_relations)  # noqa: E731
        elif kind == "gat":
            make = lambda: GATConv(d_ent, d_ent, heads=heads, concat=False)  # noqa: E731
        else:
            make = lambda: GCNConv(d_ent, d_ent)  # noqa: E731
        self.layers = nn.ModuleList(make() for _ in range(layers))

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor,
                targets: torch.Tensor | None = None) -> torch.Tensor:
        """h [N, d], edge_index [2, E], edge_type [E] in [0, R) -> [N, d].

        ``targets`` [T] long: the nodes whose final representation is read. With R-GAT the last
        layer then only aggregates into them (its attention is normalised per target node, so
        their rows are exact); the other rows keep layer K-1's states.
        """
        if len(edge_type) and int(edge_type.max()) >= self.n_relations:
            raise ValueError(f"edge_type {int(edge_type.max())} >= n_relations {self.n_relations}")
        loops = h.shape[0] if self.kind == "rgat" else None
        index, types = with_inverse_edges(edge_index, edge_type, self.n_relations, loops)
        for k, layer in enumerate(self.layers):
            if self.kind == "rgat" and targets is not None and k == len(self.layers) - 1:
                needed = torch.zeros(h.shape[0], dtype=torch.bool, device=h.device)
                needed[targets] = True
                keep = needed[index[1]]
                h = torch.where(needed.unsqueeze(1), layer(h, index[:, keep], types[keep]), h)
            elif self.kind == "rgat":
                h = layer(h, index, types)  # eq. 9 applies sigma itself
            elif self.kind == "rgcn":
                h = F.elu(layer(h, index, types))
            else:
                h = F.elu(layer(h, index))
        return h
