"""Time per training epoch of a base model and of the same model + KIRE, measured in one run.

Both pipelines see the same batches in the same order, taking turns batch by batch so that load
on a shared machine hits both alike (forward, backward, Adam step; no dev evaluation); the +KIRE
time includes building each batch's KnowledgeBatch. Prints one JSON object
with the fastest epoch of each, their ratio, and the median over epochs of each epoch's own ratio
(target: ratio <= 1.5 for BiLSTM).

    .venv/bin/python benchmarks/inject_epoch_time.py --docs results/docs/redocred \
        --rel-info ../shared/data/docred/rel_info.json --subgraph results/subgraph/redocred \
        --coref 'results/coref/redocred/{split}.parquet' --codes results/embed/redocred/codes
"""

from __future__ import annotations

import argparse
import json
import time


def interleaved_epoch_seconds(pipelines: dict, features, batch_size: int, n_classes: int, epochs: int
                              ) -> dict[str, list[float]]:
    """Seconds of each epoch of each pipeline (forward + backward + Adam step): {name: [epochs]}.

    The pipelines take turns batch by batch, so that both see the same load on a shared machine.
    """
    import torch

    from kire.train.loop import TrainConfig, optimizer_for
    from kire.train.scores import iter_batches

    optimizers = {name: optimizer_for(p, TrainConfig(batch_size=batch_size)) for name, p in pipelines.items()}
    seconds: dict[str, list[float]] = {name: [] for name in pipelines}
    for _ in range(epochs):
        spent = dict.fromkeys(pipelines, 0.0)
        for batch in iter_batches(features, batch_size, n_classes):
            for name, pipeline in pipelines.items():
                pipeline.train()
                started = time.perf_counter()
                loss = sum(pipeline.losses(batch, "train").values())
                optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(pipeline.parameters(), 5.0)
                optimizers[name].step()
                spent[name] += time.perf_counter() - started
        for name in pipelines:
            seconds[name].append(spent[name])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", required=True, help="document tables root with train/ (kire docs prepare)")
    parser.add_argument("--rel-info", required=True)
    parser.add_argument("--subgraph", required=True)
    parser.add_argument("--coref", default=None, help="coref table path with {split}")
    parser.add_argument("--codes", required=True)
    parser.add_argument("--model", default="bilstm")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--limit", type=int, default=0, help="first N training documents (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--settings", default="{}", help="extra kire variant settings as JSON")
    args = parser.parse_args()

    import torch

    from kire.docs.read import read_relations, read_split
    from kire.inject.training import kire_variant
    from kire.models.features import LabelSpace
    from kire.models.registry import model_class
    from kire.train.pipeline import Pipeline, VariantParts

    torch.set_num_threads(args.threads)
    relations = read_relations(args.rel_info)
    split = read_split(f"{args.docs}/train", relations)  # the knowledge files index the whole split
    docs = split[: args.limit] if args.limit else split
    space = LabelSpace.from_documents(relations, docs)
    torch.manual_seed(0)
    base_model = model_class(args.model).create(space, {}, docs)
    kire_model = model_class(args.model).create(space, {}, docs)
    kire_model.load_state_dict(base_model.state_dict())
    features = [base_model.featurize(d, i) for i, d in enumerate(docs)]
    settings = {"subgraph": args.subgraph, "coref": args.coref, "codes": args.codes, **json.loads(args.settings)}
    pipelines = {"base": Pipeline(base_model, VariantParts()),
                 "kire": Pipeline(kire_model, kire_variant(kire_model, settings, {"train": split}))}
    seconds = interleaved_epoch_seconds(pipelines, features, args.batch_size, space.n_classes, args.epochs)
    b, k = min(seconds["base"]), min(seconds["kire"])
    # an epoch's two times saw the same load: their ratio is steadier than a ratio of minima; the
    # first epoch also reads the split's knowledge tables, so it only counts when it is the only one
    warm = 1 if args.epochs > 1 else 0
    paired = sorted(kire / base for kire, base in zip(seconds["kire"][warm:], seconds["base"][warm:]))
    print(json.dumps({"model": args.model, "documents": len(docs), "batch_size": args.batch_size,
                      "threads": args.threads, "epochs": args.epochs, "base_seconds_per_epoch": round(b, 2),
                      "kire_seconds_per_epoch": round(k, 2), "ratio": round(k / b, 3),
                      "ratio_per_epoch_median": round(paired[len(paired) // 2], 3),
                      "settings": {k2: v for k2, v in settings.items() if k2 not in ("subgraph", "coref", "codes")}}))


if __name__ == "__main__":
    main()
