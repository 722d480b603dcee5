"""Time per training epoch of a base model and of the same model + KIRE, measured in one run.

Both pipelines see the same batches in the same order (forward, backward, Adam step; no dev
evaluation); the +KIRE time includes building each batch's KnowledgeBatch. Prints one JSON object
with seconds per epoch for both and their ratio (target: ratio <= 1.5 for BiLSTM).

    .venv/bin/python benchmarks/inject_epoch_time.py --docs results/docs/redocred \
        --rel-info ../shared/data/docred/rel_info.json --subgraph results/subgraph/redocred \
        --coref 'results/coref/redocred/{split}.parquet' --codes results/embed/redocred/codes
"""

from __future__ import annotations

import argparse
import json
import time


def epoch_seconds(pipeline, features, batch_size: int, n_classes: int, epochs: int) -> list[float]:
    """Seconds of each of ``epochs`` passes of forward + backward + optimizer step over ``features``."""
    import torch

    from kire.train.loop import TrainConfig, optimizer_for
    from kire.train.predict import iter_batches

    optimizer = optimizer_for(pipeline, TrainConfig(batch_size=batch_size))
    pipeline.train()
    times = []
    for _ in range(epochs):
        started = time.perf_counter()
        for batch in iter_batches(features, batch_size, n_classes):
            loss = sum(pipeline.losses(batch, "train").values())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(pipeline.parameters(), 5.0)
            optimizer.step()
        times.append(time.perf_counter() - started)
    return times


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

    from kire.inject.variant import kire_variant
    from kire.models.features import LabelSpace
    from kire.models.registry import model_class
    from kire.train.run import read_relations, read_split
    from kire.train.variants import Pipeline, VariantParts

    torch.set_num_threads(args.threads)
    relations = read_relations(args.rel_info)
    split = read_split(f"{args.docs}/train", relations)  # the knowledge files index the whole split
    docs = split[: args.limit] if args.limit else split
    space = LabelSpace.from_documents(relations, docs)
    torch.manual_seed(0)
    model = model_class(args.model).create(space, {}, docs)
    features = [model.featurize(d, i) for i, d in enumerate(docs)]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    base = Pipeline(model, VariantParts())
    base_times = epoch_seconds(base, features, args.batch_size, space.n_classes, args.epochs)

    model.load_state_dict(state)
    settings = {"subgraph": args.subgraph, "coref": args.coref, "codes": args.codes, **json.loads(args.settings)}
    parts = kire_variant(model, settings, {"train": split})
    kire = Pipeline(model, parts)
    kire_times = epoch_seconds(kire, features, args.batch_size, space.n_classes, args.epochs)
    b, k = min(base_times), min(kire_times)
    print(json.dumps({"model": args.model, "documents": len(docs), "batch_size": args.batch_size,
                      "threads": args.threads, "base_seconds_per_epoch": round(b, 2),
                      "kire_seconds_per_epoch": round(k, 2), "ratio": round(k / b, 3),
                      "settings": {k2: v for k2, v in settings.items() if k2 not in ("subgraph", "coref", "codes")}}))


if __name__ == "__main__":
    main()
