"""Linear probes: where a fact that the KG states is lost between the KG encoding and the classifier.

For the entity pairs of a split whose two entities are both linked, fits logistic-regression
probes on the training split's pairs and scores them on dev's, for two targets:

``edge``      the pair is joined by a KG edge of the split's subgraph (either direction; the
              definition of ``kire eval``'s kg_edge breakdown). Score: ROC AUC.
``relation``  the pair's gold relation (its first gold relation id, "NA" when none), on the pairs
              joined by a KG edge. Score: accuracy, beside the majority class's.

from pair features (each entity side x_h, x_t enters as ``[x_h; x_t; x_h * x_t]``, so that a linear
probe can compare the two sides the way the classifier's bilinear form does):

``attr``          the attribute encoding h0 of the KG entities (eq. 8; the +KIRE run's layer)
``kg``            the KG representations h_e the layer reconciles with (eqs. 8-9, after the R-GAT)
``base``          the entity states the base model's classifier reads (mean of H over mentions)
``kire_pre``      the +KIRE run's entity states before its layer (its fine-tuned encoder)
``kire``          the +KIRE run's entity states after its layer (what its classifier reads)
``oracle``        the KG relation ids between the pair, one-hot by direction (2 x n_relations)
``X+oracle``      a feature set with the oracle appended

Reading: ``kg`` high but ``kire`` no higher than ``kire_pre`` -> the fact is lost in the
reconciliation; ``kire`` high but the run's kg-edge recall no better than ``continue`` -> present
but unused by the classifier; ``kg`` low -> lost in the KG encoding. Also reports how far the layer
moves the states: the relative change ``|x' - x| / |x|`` of linked entities' states, and the
norms of the exchange gate and of the reconciliation's output weights W_w.

    .venv/bin/python benchmarks/kg_probe.py --results /tmp/pc/results --dataset redocred \\
        --rel-info ../shared/data/docred/rel_info.json \\
        --base /tmp/t13m/stage2b/base/seed1 --kire /tmp/h13p/runs/X/seed1 --out /tmp/h13p/probe/X-seed1.json

``--results`` is the workflow results folder the +KIRE run was trained on (docs/<dataset>/); the
knowledge paths come from the run's model.json. Runs on CPU in about a minute per run.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from kire.docs.read import read_relations, read_split
from kire.io import write_json_atomic
from kire.models.base import entity_mean, entity_offsets
from kire.train.run import load_pipeline
from kire.train.scores import iter_batches

SPLITS = ("train", "dev")


@dataclass
class PairTable:
    """Rows: the split's pairs whose two entities are both linked, in batch order.

    states: name -> [P, 2, d] entity states (head, tail); edge [P] bool; relation [P] long (first
    gold relation column, 0 = NA); oracle [P, 2 * n_relations] float."""

    states: dict[str, np.ndarray]
    edge: np.ndarray
    relation: np.ndarray
    oracle: np.ndarray


def entity_nodes(batch, kb, sk) -> tuple[torch.Tensor, torch.Tensor]:
    """([E], [E]) long: each entity row's node in the batch's KG subgraph (kb) and in the split's
    subgraph (sk), -1 when the entity is not linked (links of ``sk.doc_links``, as kire eval reads them)."""
    offsets = entity_offsets(batch).tolist()
    batch_node = {q: i for i, q in enumerate(kb.node_ids)}
    n_entities = int(batch.n_entities.sum())
    in_batch = torch.full((n_entities,), -1, dtype=torch.long)
    in_split = torch.full((n_entities,), -1, dtype=torch.long)
    for b, doc in enumerate(batch.doc_index):
        for ent, node in sk.doc_links(doc).tolist():
            in_split[offsets[b] + ent] = node
            in_batch[offsets[b] + ent] = batch_node[sk.node_qids[node]]
    return in_batch, in_split


def edge_lookup(sk) -> dict[tuple[int, int], list[int]]:
    """(node_a, node_b) -> relation ids of the split subgraph's triples a -> b."""
    out: dict[tuple[int, int], list[int]] = {}
    for src, rel, dst in sk.edges.tolist():
        out.setdefault((src, dst), []).append(rel)
    return out


@torch.no_grad()
def pair_table(runs: dict[str, object], kire_name: str, features, split: str, batch_size: int) -> tuple[PairTable, dict]:
    """The PairTable of ``split`` for the loaded pipelines ``runs`` (name -> Pipeline) and the
    layer-movement statistics of the +KIRE pipeline ``runs[kire_name]``."""
    kire = runs[kire_name]
    source = kire.parts.batch_inputs
    sk = source.split(split)
    edges = edge_lookup(sk)
    n_rel = sk.n_relations
    layer = kire.inject.layer
    n_classes = kire.model.space.n_classes
    cols: dict[str, list] = {k: [] for k in ("attr", "kg", "kire_pre", *runs)}
    edge, relation, oracle = [], [], []
    moved, gate_open = [], []
    for pipe in runs.values():
        pipe.eval()
    for batch in iter_batches(features, batch_size, n_classes):
        kb = source(split, batch)
        node, split_node = entity_nodes(batch, kb, sk)
        offsets = entity_offsets(batch)
        head = offsets[batch.pair_doc] + batch.pair_head
        tail = offsets[batch.pair_doc] + batch.pair_tail
        keep = (node[head] >= 0) & (node[tail] >= 0)
        if not bool(keep.any()):
            continue
        head, tail = head[keep], tail[keep]
        # KG side: the attribute encoding and KG representation of each linked entity's node
        h0 = layer.entity_init(kb.node_codes, kb.node_code_ptr)
        h_kg = layer.kg_representations(kb)
        for name, table in (("attr", h0), ("kg", h_kg)):
            rows = table[node.clamp(min=0)]
            cols[name].append(torch.stack([rows[head], rows[tail]], 1).numpy())
        for name, pipe in runs.items():
            H = pipe.model.encode(batch).H
            if pipe.inject is not None:
                ents_pre = entity_mean(H, batch)
                H = pipe.inject(H, batch, kb if pipe is kire else pipe.parts.batch_inputs(split, batch))[0]
            ents = entity_mean(H, batch)
            cols[name].append(torch.stack([ents[head], ents[tail]], 1).numpy())
            if pipe is kire:
                cols["kire_pre"].append(torch.stack([ents_pre[head], ents_pre[tail]], 1).numpy())
                linked = node >= 0
                moved.append(((ents - ents_pre)[linked].norm(dim=-1) / ents_pre[linked].norm(dim=-1).clamp(min=1e-9)).numpy())
        # pair targets and the oracle feature, from the split subgraph's nodes of the two entities
        labels = batch.labels[keep]
        first = torch.where(labels[:, 1:].any(1), labels[:, 1:].float().argmax(1) + 1, 0)
        relation.append(first.numpy())
        for h, t in zip(head.tolist(), tail.tolist()):
            a, c = int(split_node[h]), int(split_node[t])
            row = np.zeros(2 * n_rel, np.float32)
            forward, backward = edges.get((a, c), []), edges.get((c, a), [])
            row[forward] = 1.0
            row[[n_rel + r for r in backward]] = 1.0
            oracle.append(row)
            edge.append(bool(forward or backward))
    if layer.coref is not None and getattr(layer.coref, "g", None) is not None:
        gate_open.append(float(layer.coref.g.abs().mean()))
    stats = {"entity_state_change": float(np.median(np.concatenate(moved))) if moved else 0.0,
             "entity_state_change_mean": float(np.mean(np.concatenate(moved))) if moved else 0.0}
    table = PairTable({k: np.concatenate(v) for k, v in cols.items() if v}, np.asarray(edge),
                      np.concatenate(relation), np.stack(oracle))
    return table, stats


def layer_norms(pipe) -> dict[str, float]:
    """Norms of the parts of the layer that start at zero: exchange gate, W_w / W_e per aggregator."""
    layer = pipe.inject.layer
    out = {}
    if layer.coref is not None and getattr(layer.coref, "g", None) is not None:
        g = layer.coref.g.detach()
        out["exchange_gate_mean_abs"] = float(g.abs().mean())
        out["exchange_gate_max_abs"] = float(g.abs().max())
    if getattr(layer, "reconciler", None) is not None:
        for n, agg in enumerate(layer.reconciler.aggregators, 1):
            out[f"W_w{n}_fro"] = float(agg.W_w.weight.detach().norm())
            out[f"W_e{n}_fro"] = float(agg.W_e.weight.detach().norm())
    return out


def pair_features(table: PairTable, name: str) -> np.ndarray:
    """[P, F]: ``[x_h; x_t; x_h * x_t]`` of feature set ``name`` (``+oracle`` appends the oracle)."""
    base, _, extra = name.partition("+")
    if base == "oracle":
        return table.oracle
    s = table.states[base]
    x = np.concatenate([s[:, 0], s[:, 1], s[:, 0] * s[:, 1]], axis=1)
    return np.concatenate([x, table.oracle], axis=1) if extra == "oracle" else x


def probe_scores(train: PairTable, dev: PairTable, names: list[str], seed: int) -> dict[str, dict]:
    """Per feature set: edge AUC on dev pairs, relation accuracy on dev KG-edge pairs."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def fit(x, y):
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000, C=1.0, random_state=seed)).fit(x, y)

    out = {}
    for name in names:
        xt, xd = pair_features(train, name), pair_features(dev, name)
        edge = fit(xt, train.edge)
        auc = roc_auc_score(dev.edge, edge.predict_proba(xd)[:, 1])
        rt, rd = train.edge, dev.edge
        rel = fit(xt[rt], train.relation[rt])
        acc = float((rel.predict(xd[rd]) == dev.relation[rd]).mean())
        out[name] = {"edge_auc": float(auc), "relation_acc": acc}
        print(f"| {name} | {auc:.3f} | {acc:.3f} |", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", required=True, help="workflow results folder (docs/<dataset>/<split>)")
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--rel-info", required=True)
    ap.add_argument("--base", required=True, help="the base run folder")
    ap.add_argument("--kire", required=True, help="a +KIRE run folder (its layer gives attr/kg/kire features)")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="JSON file for the scores")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    # BLAS worker threads spin while they wait: on a shared machine they only steal CPU
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    relations = read_relations(args.rel_info)
    docs = Path(args.results) / "docs" / args.dataset
    splits = {s: read_split(str(docs / s), relations) for s in SPLITS}
    runs = {"base": load_pipeline(args.base, splits)[0], "kire": load_pipeline(args.kire, splits)[0]}
    model = runs["kire"].model
    tables, stats = {}, {}
    for split in SPLITS:
        features = [model.featurize(doc, i) for i, doc in enumerate(splits[split])]
        tables[split], stats[split] = pair_table(runs, "kire", features, split, args.batch_size)
    dev, train = tables["dev"], tables["train"]
    majority = np.bincount(dev.relation[dev.edge]).max() / max(int(dev.edge.sum()), 1)
    print(f"pairs (both linked): train {len(train.edge)} ({int(train.edge.sum())} with a KG edge), "
          f"dev {len(dev.edge)} ({int(dev.edge.sum())}); relation majority acc {majority:.3f}")
    print("| features | edge AUC (dev) | relation acc on KG-edge pairs (dev) |\n|---|---|---|", flush=True)
    names = ["oracle", "attr", "kg", "base", "kire_pre", "kire", "base+oracle", "kire+oracle"]
    scores = probe_scores(train, dev, names, args.seed)
    result = {"base": args.base, "kire": args.kire, "probes": scores,
              "pairs": {s: {"linked_pairs": int(len(t.edge)), "edge_pairs": int(t.edge.sum()),
                            "edge_pairs_with_relation": int((t.relation[t.edge] > 0).sum())} for s, t in tables.items()},
              "relation_majority_acc": float(majority), "layer": {**layer_norms(runs["kire"]), **stats["dev"]},
              "seconds": time.perf_counter() - started}
    write_json_atomic(Path(args.out), result)
    print(json.dumps(result["layer"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
