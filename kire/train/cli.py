"""`kire train` (one model, variant and seed) and `kire split-docred` (a fixed train/dev split)."""

from __future__ import annotations

import argparse
import json

from kire.errors import KireError


def json_object(text: str) -> dict:
    """Parse a JSON object given on the command line."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise argparse.ArgumentTypeError(f"not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value


def register(subparsers) -> None:
    from kire.models.registry import MODELS
    from kire.train.settings import DECAYS, MAX_ENTITIES, OPTIMIZERS, TrainConfig
    from kire.train.variant_table import VARIANTS

    d = TrainConfig()
    p = subparsers.add_parser(
        "train", help="train a document-level RE model (one variant, one seed) and predict dev/test",
        description="Train MODEL on TRAIN with early stopping on DEV F1; write the best weights "
                    "(safetensors), metrics.jsonl, theta.json (theta chosen on dev), result_dev.json "
                    "and result_test.json (TEST predictions, official format) into --out. Rerunning an "
                    "interrupted run resumes after its last finished epoch.",
    )
    p.add_argument("--train", required=True, help="training split: document-table folder or DocRED JSON")
    p.add_argument("--dev", required=True, help="dev split (labeled)")
    p.add_argument("--test", help="test split (labels optional); its predictions go to result_test.json")
    p.add_argument("--rel-info", required=True, help="rel_info.json: relation id -> name")
    p.add_argument("--model", required=True, help=f"registered model name ({', '.join(MODELS)})")
    p.add_argument("--variant", default="base", help=f"training variant: {', '.join(VARIANTS)} (default: base)")
    p.add_argument("--variant-settings", type=json_object, default={}, help="JSON object of variant settings")
    p.add_argument("--model-settings", type=json_object, default={},
                   help='JSON object of model settings, e.g. {"word_vectors": null, "encoder": "/path"}')
    p.add_argument("--train-facts", help="Ign F1 facts: .fact list or DocRED train file (default: --train's labels)")
    p.add_argument("--out", required=True, help="run folder")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed (default: {d.seed})")
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"at most this many epochs (default: {d.epochs})")
    p.add_argument("--patience", type=int, default=d.patience,
                   help=f"epochs without a better dev F1 before stopping (default: {d.patience})")
    p.add_argument("--batch-size", type=int, default=d.batch_size,
                   help=f"documents per optimiser step (default: {d.batch_size})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"learning rate of the model's own parameters (default: {d.lr})")
    p.add_argument("--encoder-lr", type=float, default=d.encoder_lr,
                   help=f"learning rate of a pretrained transformer encoder (ATLOP; default: {d.encoder_lr})")
    p.add_argument("--inject-lr", type=float, default=d.inject_lr,
                   help="learning rate of the variant's new parameters (stage 2, config train.stage2.inject_lr); "
                        "default: --lr")
    p.add_argument("--grad-clip", type=float, default=d.grad_clip,
                   help=f"gradient norm clipping, 0 = none (default: {d.grad_clip})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=d.optimizer,
                   help="adam, or adamw (weight decay 0; ATLOP's authors' choice)")
    p.add_argument("--adam-eps", type=float, default=d.adam_eps, help="the optimiser's epsilon")
    p.add_argument("--warmup-ratio", type=float, default=d.warmup_ratio,
                   help="share of all steps (epochs x batches) with a linear warm-up from 0 (ATLOP: 0.06)")
    p.add_argument("--decay", choices=DECAYS, default=d.decay,
                   help="after the warm-up: none (constant) or linear (to 0 at the last step of --epochs)")
    p.add_argument("--max-entities", type=int, default=MAX_ENTITIES, help="size of the entity-id embedding")
    p.add_argument("--device", default=d.device, help="auto (CUDA when present), cpu, cuda:0, ...")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--no-tensorboard", action="store_true",
                   help="no TensorBoard event file beside metrics.jsonl (config train.tensorboard: false)")
    p.set_defaults(func=run_train)

    s = subparsers.add_parser(
        "split-docred", help="split a DocRED-format file into train and dev by a fixed rule",
        description="Order documents by SHA-1 of their title and put the first N_TRAIN in TRAIN_OUT, "
                    "the next N_DEV in DEV_OUT (the rule is documented in kire/train/split.py).",
    )
    s.add_argument("source", help="DocRED-format JSON file to split")
    s.add_argument("train_out", help="output JSON of the train part")
    s.add_argument("dev_out", help="output JSON of the dev part")
    s.add_argument("--n-train", type=int, required=True, help="documents in the train part")
    s.add_argument("--n-dev", type=int, required=True, help="documents in the dev part")
    s.set_defaults(func=run_split)


def run_train(args: argparse.Namespace) -> int:
    import torch

    from kire.train.settings import TrainConfig
    from kire.train.run import run_training

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.epochs < 1 or args.batch_size < 1 or args.patience < 1:
        raise KireError("--epochs, --batch-size and --patience must be at least 1")
    if not 0 <= args.warmup_ratio < 1:
        raise KireError(f"--warmup-ratio must be in [0, 1), not {args.warmup_ratio}")
    cfg = TrainConfig(epochs=args.epochs, patience=args.patience, batch_size=args.batch_size, lr=args.lr,
                      encoder_lr=args.encoder_lr, inject_lr=args.inject_lr, grad_clip=args.grad_clip,
                      optimizer=args.optimizer, adam_eps=args.adam_eps, warmup_ratio=args.warmup_ratio,
                      decay=args.decay, seed=args.seed, device=args.device, progress=not args.no_progress,
                      tensorboard=not args.no_tensorboard)
    summary = run_training(train=args.train, dev=args.dev, test=args.test, rel_info=args.rel_info,
                           model=args.model, out_dir=args.out, cfg=cfg, model_settings=args.model_settings,
                           variant=args.variant, variant_settings=args.variant_settings,
                           train_facts=args.train_facts, max_entities=args.max_entities)
    print(json.dumps(summary))
    return 0


def run_split(args: argparse.Namespace) -> int:
    from kire.train.split import split_docred_file

    counts = split_docred_file(args.source, args.train_out, args.dev_out, args.n_train, args.n_dev)
    print(json.dumps(counts))
    return 0
