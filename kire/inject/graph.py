"""Relation triple encoding (section 4.2): R-GAT (eq. 9) and the alternative graph encoders.

Shapes: N nodes, E relation triples (edges head -> tail), R relation types, d = d_ent.

Every encoder sees the relation triples in both directions (inverse triples get their own relation
ids R..2R-1) so that a head entity hears its tails as well as the other way round. R-GAT also gets
one self-loop per node with relation id 2R: an entity without neighbours in the subgraph keeps its
attribute representation instead of collapsing to sigma(0).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn import functional as F
from torch_geometric.nn import GATConv, GCNConv, RGCNConv
from torch_geometric.utils import index_sort, softmax
from torch_geometric.utils.sparse import index2ptr

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


class TargetSorted(NamedTuple):
    """Edges (source j -> target i) sorted by target, as the R-GAT aggregation reads them.

    src, dst, type [E] long; ptr [N + 1] long, the CSR pointer: the edges into node i are
    ptr[i]:ptr[i + 1]; relations [R_e] long, the relation ids that occur, ascending, and
    relation_rank [E] long, each edge's position in it (relations[relation_rank] = type);
    by_src, by_rank [E] long: the edges in source order and in relation_rank order (stable), which
    the gradients of the R-GAT's neighbour sums read (:func:`weighted_bag`'s ``by_row``).
    """

    src: torch.Tensor
    dst: torch.Tensor
    type: torch.Tensor
    ptr: torch.Tensor
    relations: torch.Tensor
    relation_rank: torch.Tensor
    by_src: torch.Tensor
    by_rank: torch.Tensor


def target_sorted(src: torch.Tensor, dst: torch.Tensor, edge_type: torch.Tensor, n_nodes: int,
                  relations: torch.Tensor, relation_rank: torch.Tensor) -> TargetSorted:
    """TargetSorted of edges already sorted by target (``dst`` non-decreasing): adds the CSR
    pointer and the source and relation orders."""
    by_src = index_sort(src, max_value=max(n_nodes, 1), stable=True)[1]
    by_rank = index_sort(relation_rank, max_value=max(len(relations), 1), stable=True)[1]
    return TargetSorted(src, dst, edge_type, index2ptr(dst, n_nodes), relations, relation_rank, by_src, by_rank)


def sorted_by_target(edge_index: torch.Tensor, edge_type: torch.Tensor, n_nodes: int) -> TargetSorted:
    """Return the edges of edge_index [2, E] / edge_type [E] sorted by target node (stable)."""
    dst, order = index_sort(edge_index[1], max_value=max(n_nodes, 1), stable=True)
    edge_type = edge_type[order]
    relations, rank = torch.unique(edge_type, return_inverse=True)
    return target_sorted(edge_index[0, order], dst, edge_type, n_nodes, relations, rank)


class _WeightedBag(torch.autograd.Function):
    """``F.embedding_bag(..., mode="sum", per_sample_weights=...)`` whose table gradient is a bag too
    (see :func:`weighted_bag`)."""

    @staticmethod
    def forward(ctx, table, weights, index, offsets, bag, order, row_starts):
        ctx.save_for_backward(table, weights, index, offsets, bag, order, row_starts)
        return F.embedding_bag(index, table, offsets, mode="sum", per_sample_weights=weights)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        table, weights, index, offsets, bag, order, row_starts = ctx.saved_tensors
        d_table = d_weights = None
        if ctx.needs_input_grad[0]:
            # d table[v] = sum over the entries k with index[k] = v of weights[k] d out[bag[k]]: one
            # bag per table row over the entries grouped by row, no [entries, d] temporary
            if order is None:  # no grouping given: sort the entries by row
                rows, order = index_sort(index, max_value=max(len(table), 1), stable=True)
                row_starts = index2ptr(rows, len(table))[:-1]
            d_table = F.embedding_bag(bag.index_select(0, order), grad, row_starts,
                                      mode="sum", per_sample_weights=weights.index_select(0, order))
        if ctx.needs_input_grad[1]:  # embedding_bag's own kernel: d weights[k] = d out[bag[k]] . table[index[k]]
            d_weights = torch.ops.aten._embedding_bag_per_sample_weights_backward(
                grad, table, index, offsets, bag, 0, -1)
        return d_table, d_weights, None, None, None, None, None


def weighted_bag(table: torch.Tensor, weights: torch.Tensor, index: torch.Tensor, offsets: torch.Tensor,
                 bag: torch.Tensor, by_row: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """Weighted sums of table rows, one per bag: out[n] = sum_k weights[k] table[index[k]] over the
    entries k of bag n, offsets[n]:offsets[n + 1] (the last bag runs to the end).

    table [V, d], weights / index / bag [K] (``bag[k]``: the bag of entry k), offsets [n_bags]
    -> [n_bags, d]. Forward and weight gradient are ``F.embedding_bag``'s (mode "sum" with
    ``per_sample_weights``); the table gradient is computed as a bag as well, over the entries sorted
    by table row, which on CPU is several times faster than embedding_bag's dense backward at the
    R-GAT's sizes (it sums in another order: equal up to float rounding). Not twice differentiable.
    ``by_row = (order [K], row_starts [V])``, if given, groups the entries by table row (index[order]
    non-decreasing, row v's entries at row_starts[v]:row_starts[v + 1] of order) so that the
    backward need not sort them.
    """
    order, row_starts = by_row if by_row is not None else (None, None)
    return _WeightedBag.apply(table, weights, index, offsets, bag, order, row_starts)


class RGATConv(nn.Module):
    """One R-GAT layer k with B heads in parallel (eq. 9).

    e_ij^(k,b) = W_out^(k,b)T [W_in^(k,b) h_i; W_in^(k,b) h_j; M(r_ij)],
    alpha_ij^(k,b) = softmax over j in U_i of LeakyReLU(e_ij^(k,b)),
    h_i^(k+1) = 1/B sum_b sigma(sum_{l in U_i} alpha_il^(k,b) W_in^(k,b) h_l), sigma = ELU.

    The attention is normalised with torch-geometric's segment softmax. As W_in^(k,b) is linear,
    sum_l alpha_il W_in h_l = W_in (sum_l alpha_il h_l): the neighbours' h are summed first, as one
    EmbeddingBag sum per (node, head) with alpha as per-sample weights (the same sum as message
    passing's "add" aggregation, without materialising [E, B, d] messages), then projected, and
    only for the rows asked for: the last layer projects just the nodes whose outputs are read.

    ``relation_messages=True`` (not eq. 9) also sends the edge's relation: the message of l is
    ``W_in h_l + W_rel M(r_il)``, so that h_i says by which relations it is tied to its neighbours
    (in eq. 9 the relation only weighs the attention). Default False, eq. 9 as printed.
    """

    def __init__(self, d_in: int, d_out: int, *, n_relations: int, heads: int = 2, d_rel: int = 100,
                 negative_slope: float = 0.2, relation_messages: bool = False):
        super().__init__()
        self.d_in, self.d_out, self.n_relations = d_in, d_out, n_relations
        self.heads, self.d_rel, self.negative_slope = heads, d_rel, negative_slope
        with torch.device("meta"):  # shapes only: reset_parameters() draws each parameter once
            self.W_in = nn.Linear(d_in, heads * d_out, bias=False)
            self.M = nn.Embedding(n_relations, d_rel)
            self.W_out = nn.Parameter(torch.empty(heads, 2 * d_out + d_rel))
            self.W_rel = nn.Linear(d_rel, heads * d_out, bias=False) if relation_messages else None
        self.to_empty(device=torch.get_default_device())
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W_in (torch's Linear default), M(r) ~ N(0, 1) and W_out (Xavier uniform), in this
        order, then W_rel (torch's Linear default) with ``relation_messages``."""
        self.W_in.reset_parameters()
        self.M.reset_parameters()
        nn.init.xavier_uniform_(self.W_out)
        if self.W_rel is not None:
            self.W_rel.reset_parameters()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.d_in}, {self.d_out}, n_relations={self.n_relations}, heads={self.heads})"

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor | TargetSorted,
                edge_type: torch.Tensor | None = None, rows: torch.Tensor | None = None) -> torch.Tensor:
        """h [N, d_in], edge_index [2, E] (source j -> target i) with edge_type [E], or the edges
        already ``sorted_by_target`` -> [N, d_out], or [len(rows), d_out] for the nodes ``rows``."""
        N, B, d = h.shape[0], self.heads, self.d_out
        edges = edge_index if isinstance(edge_index, TargetSorted) else sorted_by_target(edge_index, edge_type, N)
        W = self.W_in.weight.view(B, d, -1)  # W_in^(k,b), [B, d, d_in]
        # W_out^T [W_in h_i; W_in h_j; M(r)] split into its three blocks, the first two folded into
        # h's space (a^T W_in h = (W_in^T a)^T h): per-node and per-relation scores, summed per edge
        a_i, a_j, a_r = self.W_out.split([d, d, self.W_out.shape[1] - 2 * d], dim=1)
        U = torch.bmm(torch.stack([a_i, a_j], 1), W)  # W_in^T a for a_i, a_j of each head, [B, 2, d_in]
        s = h @ U.permute(2, 1, 0).reshape(-1, 2 * B)  # [N, 2B]: B scores of h_i, then B of h_j
        s_r = self.M.weight @ a_r.t()  # [R, B]
        e = s[:, :B].index_select(0, edges.dst) + s[:, B:].index_select(0, edges.src) + s_r.index_select(0, edges.type)
        alpha = softmax(F.leaky_relu(e, self.negative_slope), edges.dst, num_nodes=N)  # alpha_ij^(k,b), [E, B]
        E, heads = len(edges.src), torch.arange(B, device=h.device).unsqueeze(1)
        # one bag per (head b, target i), over entries b * E + l: their offsets, the bag of each entry, its weight
        offsets, bag, weights = (edges.ptr[:-1] + heads * E).reshape(-1), (edges.dst + heads * N).reshape(-1), alpha.t().reshape(-1)
        # the entries grouped by table row for the backward: each edge's B entries, edges in source order
        by_src = ((edges.by_src.unsqueeze(1) + heads.t() * E).reshape(-1),
                  index2ptr(edges.src.index_select(0, edges.by_src), N)[:-1] * B)
        summed = weighted_bag(h, weights, edges.src.repeat(B), offsets, bag, by_src).view(B, N, h.shape[1])  # sum_l alpha_il h_l
        if rows is not None:
            summed = summed[:, rows]
        messages = torch.matmul(summed, W.transpose(1, 2))  # [B, N or len(rows), d]
        if self.W_rel is not None:
            # sum_l alpha_il W_rel M(r_il) = sum_l alpha_il P(r_il) with P = W_rel M per relation and head
            # ([B, R_e, d], for the R_e relations that occur): fewer than the N nodes whose relation
            # sums would be projected
            R = len(edges.relations)
            P = (self.M.weight.index_select(0, edges.relations) @ self.W_rel.weight.t()).view(R, B, d)
            by_rank = ((edges.by_rank + heads * E).reshape(-1),  # head by head, edges in relation order
                       (index2ptr(edges.relation_rank.index_select(0, edges.by_rank), R)[:-1] + heads * E).reshape(-1))
            relations = weighted_bag(P.transpose(0, 1).reshape(B * R, d), weights,
                                     (edges.relation_rank + heads * R).reshape(-1), offsets, bag, by_rank).view(B, N, d)
            messages = messages + (relations if rows is None else relations[:, rows])
        return F.elu(messages).mean(dim=0)  # [N or len(rows), d]


class GraphEncoder(nn.Module):
    """K graph layers over the KG subgraph: h^0 [N, d] -> h^K [N, d] (the KG representations h_e).

    ``kind`` is "rgat" (the paper's eq. 9) or one of torch-geometric's GCN, GAT, R-GCN layers, the
    alternatives compared in the paper's Fig. 4.
    """

    def __init__(self, d_ent: int, *, n_relations: int, kind: str = "rgat", layers: int = 3, heads: int = 2,
                 d_rel: int = 100, relation_messages: bool = False, residual: bool = False):
        super().__init__()
        if kind not in GRAPH_ENCODERS:
            raise ValueError(f"graph encoder must be one of {GRAPH_ENCODERS}, not {kind!r}")
        if relation_messages and kind != "rgat":
            raise ValueError("relation_messages is an R-GAT option (kind 'rgat')")
        self.d_ent, self.kind, self.n_relations, self.residual = d_ent, kind, n_relations, residual
        if kind == "rgat":
            make = lambda: RGATConv(d_ent, d_ent, n_relations=2 * n_relations + 1, heads=heads,  # noqa: E731
                                    d_rel=d_rel, relation_messages=relation_messages)
        elif kind == "rgcn":
            make = lambda: RGCNConv(d_ent, d_ent, 2 * n_relations)  # noqa: E731
        elif kind == "gat":
            make = lambda: GATConv(d_ent, d_ent, heads=heads, concat=False)  # noqa: E731
        else:
            make = lambda: GCNConv(d_ent, d_ent)  # noqa: E731
        # each layer draws its own parameters as it is built; calling reset_parameters() here as well
        # would draw them a second time, and GCN's and GAT's construction draws more than their reset
        # does, so seeded runs would change: as in torch-geometric's BasicGNN, it is not called here
        self.layers = nn.ModuleList(make() for _ in range(layers))

    def reset_parameters(self) -> None:
        """Draw every layer's parameters afresh (each layer's own reset_parameters)."""
        for layer in self.layers:
            layer.reset_parameters()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.d_ent}, n_relations={self.n_relations}, kind={self.kind!r}, "
                f"layers={len(self.layers)})")

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_type: torch.Tensor,
                targets: torch.Tensor | None = None) -> torch.Tensor:
        """h [N, d], edge_index [2, E], edge_type [E] in [0, R) -> [N, d]; with ``residual`` h + h^K
        (the original release adds the input back, which keeps each entity's own attributes).

        ``targets`` [T] long: the nodes whose final representation is read. With R-GAT the last
        layer then only aggregates into and projects them (its attention is normalised per target
        node, so their rows are exact); the other rows keep layer K-1's states.
        """
        if len(edge_type) and int(edge_type.max()) >= self.n_relations:
            raise ValueError(f"edge_type {int(edge_type.max())} >= n_relations {self.n_relations}")
        h0 = h
        loops = h.shape[0] if self.kind == "rgat" else None
        index, types = with_inverse_edges(edge_index, edge_type, self.n_relations, loops)
        edges = sorted_by_target(index, types, h.shape[0]) if self.kind == "rgat" else None
        for k, layer in enumerate(self.layers):
            if self.kind == "rgat" and targets is not None and k == len(self.layers) - 1:
                needed = torch.zeros(h.shape[0], dtype=torch.bool, device=h.device)
                needed[targets] = True
                keep = needed[edges.dst]  # a subset of target-sorted edges stays sorted
                dst = edges.dst[keep]
                last = target_sorted(edges.src[keep], dst, edges.type[keep], h.shape[0],  # P for a few unread
                                     edges.relations, edges.relation_rank[keep])  # relations: no matter
                rows = needed.nonzero().squeeze(1)
                h = h.index_put((rows,), layer(h, last, rows=rows))
            elif self.kind == "rgat":
                h = layer(h, edges)  # eq. 9 applies sigma itself
            elif self.kind == "rgcn":
                h = F.elu(layer(h, index, types))
            else:
                h = F.elu(layer(h, index))
        return h0 + h if self.residual else h
