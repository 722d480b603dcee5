"""`kire docs prepare`: a dataset's raw files to document tables (see kire.docs.prepare)."""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``docs`` command group."""
    docs = subparsers.add_parser("docs", help="read and validate RE datasets into document tables")
    sub = docs.add_subparsers(dest="docs_command", metavar="COMMAND")
    prep = sub.add_parser(
        "prepare", help="read a dataset (DocRED or DWIE format) into Parquet tables per split",
        description="Writes OUT/{train,dev,test}/{docs,entities,mentions,labels}.parquet and OUT/report.json.",
    )
    prep.add_argument("--dataset", required=True, help="dataset name (recorded in the report)")
    prep.add_argument("--format", required=True, choices=["docred", "dwie"],
                      help="docred: one JSON list of documents per split; dwie: a folder of article files")
    prep.add_argument("--train", required=True, help="DocRED JSON file or DWIE folder")
    prep.add_argument("--dev", default=None, help="omit to split dev from train (DWIE)")
    prep.add_argument("--test", required=True, help="DocRED JSON file (labels optional) or DWIE folder")
    prep.add_argument("--rel-info", required=True,
                      help="rel_info.json {relation id: name}, or rel2id.json {relation id: integer} (Na left out)")
    prep.add_argument("--out", required=True, help="output folder, e.g. results/docs/<dataset>")
    prep.add_argument("--on-error", choices=["fail", "skip"], default="fail",
                      help="invalid document: stop with an error, or skip it into the rejects report")
    prep.add_argument("--on-overlap", choices=["warn", "fail", "drop_from_train"], default="warn",
                      help="a document in two splits (same title or text): warn, stop, or drop it from train")
    prep.add_argument("--dev-fraction", type=float, default=0.2,
                      help="share of train that becomes dev when --dev is omitted")
    prep.add_argument("--seed", type=int, default=13, help="seed of that train/dev split")
    prep.set_defaults(func=run_prepare)
    docs.set_defaults(func=lambda args: docs.print_help() or 2)


def run_prepare(args: argparse.Namespace) -> int:
    """Run `kire docs prepare`."""
    from kire.docs.prepare import DatasetSource, prepare_dataset

    source = DatasetSource(name=args.dataset, format=args.format, train=args.train, dev=args.dev,
                           test=args.test, rel_info=args.rel_info)
    report = prepare_dataset(source, args.out, args.on_error, args.dev_fraction, args.seed, args.on_overlap)
    for split, counts in report["splits"].items():
        log.info("%s/%s: %s", args.dataset, split, counts)
    if report["rejects"]:
        log.warning("%d document(s) rejected, listed in %s/report.json", len(report["rejects"]), args.out)
    return 0
