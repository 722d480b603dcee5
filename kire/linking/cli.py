"""`kire link`, `kire kg filter` and `kire subgraph`: linking, leakage filter, encoder subgraphs.

Options given as ``--options JSON`` are the config sections ``linking``, ``filter`` and
``subgraph`` (parsed as JSON, never evaluated).
"""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``link`` and ``subgraph`` (``kg filter`` is added to the kg group by
    :func:`register_kg_filter`, listed in kire.kg.cli.KG_SUBCOMMANDS as kire.kg.filter)."""
    link = subparsers.add_parser(
        "link", help="link document entities to KG entities",
        description="Writes OUT/links.parquet and OUT/report.json (see kire.linking.link).",
    )
    link.add_argument("--dataset", required=True)
    link.add_argument("--docs", required=True, help="document tables root, RESULTS/docs/<dataset>")
    link.add_argument("--kg", required=True, help="KG folder written by `kire kg extract`")
    link.add_argument("--out", required=True, help="output folder, e.g. RESULTS/links/<dataset>")
    add_engine_arguments(link, "linking")
    link.set_defaults(func=run_link)

    sub = subparsers.add_parser(
        "subgraph", help="per-split KG subgraphs around the linked entities",
        description="Writes OUT/relations.parquet, OUT/<split>/{nodes,edges,attributes,doc_entities}.parquet.",
    )
    sub.add_argument("--links", required=True, help="RESULTS/links/<dataset>/links.parquet")
    sub.add_argument("--kg", required=True, help="KG folder (entities, aliases, attribute triples)")
    sub.add_argument("--filtered", required=True, help="filtered KG folder (relation_triples)")
    sub.add_argument("--out", required=True, help="output folder, e.g. RESULTS/subgraph/<dataset>")
    add_engine_arguments(sub, "subgraph")
    sub.set_defaults(func=run_subgraph)


def add_engine_arguments(parser: argparse.ArgumentParser, section: str) -> None:
    """``--options`` (JSON of config section ``section``), ``--threads`` and ``--memory-limit``."""
    parser.add_argument("--options", default="{}", help=f"JSON of the config section `{section}`")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 6000MB")


FILTER_HELP = "drop relation triples between entity pairs of the test documents"


def register_kg_filter(kg_subparsers: argparse._SubParsersAction) -> None:
    """Add ``filter`` to the ``kg`` command group (``kire kg filter``)."""
    add_filter_arguments(kg_subparsers.add_parser("filter", help=FILTER_HELP))


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the leakage filter command."""
    parser.description = ("Writes OUT/relation_triples/part-*.parquet (the filtered triples) and "
                          "OUT/audit.json (see kire.kg.filter).")
    parser.add_argument("--kg", required=True, help="KG folder written by `kire kg extract`")
    parser.add_argument("--dataset", action="append", nargs=3, metavar=("NAME", "LINKS", "DOCS"), required=True,
                        help="a dataset: its name, links.parquet and document tables root (repeatable)")
    parser.add_argument("--out", required=True, help="output folder, e.g. RESULTS/kg_filtered")
    add_engine_arguments(parser, "filter")
    parser.set_defaults(func=run_filter)


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
                          memory_limit=args.memory_limit)
    totals = report["totals"]
    log.info("%s: linked %d of %d entities (%.1f%%), %s", args.dataset, totals["linked"], totals["entities"],
             100 * totals["coverage"], totals["by_method"])
    return 0


def run_filter(args: argparse.Namespace) -> int:
    """Run `kire kg filter`."""
    from kire.kg.filter import FilterConfig, LinkedDataset, filter_relation_triples

    cfg = config_of(FilterConfig, args.options, "filter")
    datasets = [LinkedDataset(name, links, docs) for name, links, docs in args.dataset]
    audit = filter_relation_triples(args.kg, datasets, args.out, cfg, threads=args.threads,
                                    memory_limit=args.memory_limit)
    log.info("policy %s: removed %d of %d relation triples (%d protected pairs)", audit["policy"],
             audit["removed"], audit["triples_in"], audit["protected_pairs"])
    return 0


def run_subgraph(args: argparse.Namespace) -> int:
    """Run `kire subgraph`."""
    from kire.kg.subgraph import SubgraphConfig, build_subgraphs

    cfg = config_of(SubgraphConfig, args.options, "subgraph")
    report = build_subgraphs(args.links, args.kg, args.filtered, args.out, cfg, threads=args.threads,
                             memory_limit=args.memory_limit)
    for split, counts in report["splits"].items():
        log.info("%s: %s", split, counts)
    return 0
