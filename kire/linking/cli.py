"""`kire link`, and the ``--options``/engine arguments of the DuckDB stages (kire.subgraph.cli too).

Options given as ``--options JSON`` are config sections (here ``linking``), parsed as JSON, never
evaluated.
"""

from __future__ import annotations

import argparse
import logging

from kire.linking import PROTECTED_SPLITS

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``link`` to the top-level parser."""
    link = subparsers.add_parser(
        "link", help="link document entities to KG entities",
        description="Writes OUT/links.parquet and OUT/report.json (see kire.linking.link).",
    )
    link.add_argument("--dataset", required=True, help="dataset name (config datasets.<name>), as in the report")
    link.add_argument("--docs", required=True, help="document tables root, RESULTS/docs/<dataset>")
    link.add_argument("--kg", required=True, help="KG folder written by `kire kg extract`")
    link.add_argument("--out", required=True, help="output folder, e.g. RESULTS/links/<dataset>")
    link.add_argument("--protected-splits", nargs="*", default=list(PROTECTED_SPLITS), metavar="SPLIT",
                      help="the leakage filter's splits (config filter.splits): their documents are "
                           f"linked without the coherence feature (default: {' '.join(PROTECTED_SPLITS)})")
    add_engine_arguments(link, "linking")
    link.set_defaults(func=run_link)


def add_engine_arguments(parser: argparse.ArgumentParser, section: str) -> None:
    """``--options`` (JSON of config section ``section``), ``--threads`` and ``--memory-limit``."""
    parser.add_argument("--options", default="{}", help=f"JSON of the config section `{section}`")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 6000MB")


def options(text: str, name: str) -> dict:
    """The JSON object of an ``--options`` value."""
    import json

    from kire.errors import KireError

    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise KireError(f"--options for {name}: not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise KireError(f"--options for {name}: expected a JSON object")
    return value


def config_of(cls, text: str, name: str):
    """An instance of the config dataclass ``cls`` from ``--options`` (unknown keys: KireError)."""
    import dataclasses

    from kire.errors import KireError

    values = options(text, name)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise KireError(f"--options for {name}: unknown keys {unknown} (known: {sorted(known)})")
    return cls(**values)


def run_link(args: argparse.Namespace) -> int:
    """Run `kire link`."""
    from kire.linking.link import LinkingConfig, link_dataset

    cfg = config_of(LinkingConfig, args.options, "linking")
    report = link_dataset(args.dataset, args.docs, args.kg, args.out, cfg, threads=args.threads,
                          memory_limit=args.memory_limit, protected_splits=args.protected_splits)
    totals = report["totals"]
    log.info("%s: linked %d of %d entities (%.1f%%), %s", args.dataset, totals["linked"], totals["entities"],
             100 * totals["coverage"], totals["by_method"])
    accuracy = report["gold"]["accuracy"]
    if accuracy:
        log.info("%s: the alias linker picks the gold item for %d of %d resolved gold links (accuracy %.1f%%; "
                 "%d unresolved)", args.dataset, accuracy["correct"], accuracy["gold"], 100 * accuracy["accuracy"],
                 totals["gold_unresolved"])
    return 0
