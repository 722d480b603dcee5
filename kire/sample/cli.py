"""`kire sample`: write the bundled sample (Wikidata dump, DocRED and DWIE datasets)."""

from __future__ import annotations

import argparse
import json
import logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``kire sample [--out DIR]``."""
    parser = subparsers.add_parser(
        "sample",
        help="write the bundled sample data set (reproducible byte for byte)",
        description="Write a small Wikidata JSON dump, a DocRED-format and a DWIE-format dataset "
                    "generated from it. Same code, same bytes: resources/sample is this command's output.",
    )
    parser.add_argument("--out", default="resources/sample",
                        help="output folder, replaced as a whole (default: resources/sample)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kire.sample.generate import write_sample

    report = write_sample(args.out)
    log.info("wrote the sample to %s: %s", args.out, json.dumps(report))
    return 0
