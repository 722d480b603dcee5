"""Training speed of every registered model (the word baselines, ATLOP, SSAN, GLRE) and of GLRE's
word-encoder setting (``glre_bilstm``): seconds per epoch and documents per second.

One epoch = one pass of Adam steps (batch size 4, the training loop's own code: Pipeline.losses,
clipping, optimizer) over N documents of a DocRED-format file; prediction speed is measured too.
As a baseline measured in the same run, a reference BiLSTM written the straightforward way
(packed sequences and ``nn.Bilinear`` on every pair's concatenated vectors, as in the DocRED
baseline code) trains on the same documents; the script prints each model's time per epoch as a
ratio to it.

    nice .venv/bin/python benchmarks/train_speed.py --n-docs 40 --threads 1
    nice .venv/bin/python benchmarks/train_speed.py --models bilstm atlop ssan glre --n-docs 20

Prints one JSON object per model, then a summary table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from kire.docs.read import read_relations, read_split
from kire.models.base import entity_mean, pair_rows
from kire.models.features import LabelSpace, mirrored_bin
from kire.models.lstm import BiLSTM
from kire.models.registry import MODELS, model_class
from kire.train.loop import TrainConfig, optimizer_for
from kire.train.pipeline import Pipeline, VariantParts
from kire.train.scores import iter_batches, relation_scores

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
# a name beyond the registry -> (registered model, its settings)
SETTING_CASES = {"glre_bilstm": ("glre", {"encoding": "bilstm"})}


class ReferenceBiLSTM(BiLSTM):
    """The same BiLSTM baseline computed the straightforward way (the speed reference)."""

    name = "reference_bilstm"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        d, dd = self.hidden_size, self.settings["dist_dim"]
        self.packed = nn.LSTM(self.input_size, d, batch_first=True, bidirectional=True)
        self.pair_bilinear = nn.Bilinear(d + dd, d + dd, self.space.n_classes)

    def context(self, x, mask):
        lengths = mask.sum(1).cpu()
        out, _ = self.packed(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return torch.relu(self.project(out))

    def predict(self, encoded, batch):
        entities = entity_mean(encoded.H, batch)
        head, tail = pair_rows(batch)
        s = torch.cat([entities[head], self.dist_emb(batch.pair_dist)], -1)
        o = torch.cat([entities[tail], self.dist_emb(mirrored_bin(batch.pair_dist))], -1)
        return self.pair_bilinear(self.dropout(s), self.dropout(o))


def time_model(model, docs, cfg: TrainConfig) -> dict:
    """Seconds of one training epoch and of predicting the same documents."""
    features = [model.featurize(d, i) for i, d in enumerate(docs)]
    pipeline = Pipeline(model, VariantParts())
    optimizer = optimizer_for(pipeline, cfg)
    pipeline.train()
    started = time.perf_counter()
    for batch in iter_batches(features, cfg.batch_size, model.space.n_classes):
        loss = sum(pipeline.losses(batch).values())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(pipeline.parameters(), cfg.grad_clip)
        optimizer.step()
    epoch = time.perf_counter() - started
    started = time.perf_counter()
    relation_scores(pipeline, features, "dev", cfg.batch_size, torch.device("cpu"))
    predict = time.perf_counter() - started
    return {"seconds_per_epoch": epoch, "train_docs_per_second": len(docs) / epoch,
            "predict_docs_per_second": len(docs) / predict}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", default=str(SHARED / "redocred" / "dev_revised.json"))
    parser.add_argument("--rel-info", default=str(SHARED / "docred" / "rel_info.json"))
    parser.add_argument("--n-docs", type=int, default=40)
    parser.add_argument("--models", nargs="+", default=[*MODELS, *SETTING_CASES],
                        help=f"registered models or {', '.join(SETTING_CASES)} (default: all)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    relations = read_relations(args.rel_info)
    docs = read_split(args.docs, relations)[: args.n_docs]
    space = LabelSpace.from_documents(relations, docs)
    cfg = TrainConfig()
    rows = []
    for name in ["reference_bilstm", *args.models]:
        torch.manual_seed(0)
        registered, settings = SETTING_CASES.get(name, (name, {}))
        cls = ReferenceBiLSTM if name == "reference_bilstm" else model_class(registered)
        model = cls.create(space, settings, docs)
        row = {"model": name, "docs": len(docs), "threads": args.threads, **time_model(model, docs, cfg)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    reference = rows[0]["seconds_per_epoch"]
    print(f"\n{'model':<18}{'s/epoch':>10}{'train doc/s':>13}{'predict doc/s':>15}{'vs reference':>14}")
    for r in rows:
        print(f"{r['model']:<18}{r['seconds_per_epoch']:>10.2f}{r['train_docs_per_second']:>13.2f}"
              f"{r['predict_docs_per_second']:>15.2f}{r['seconds_per_epoch'] / reference:>13.2f}x")


if __name__ == "__main__":
    main()
