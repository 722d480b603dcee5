"""`kire kg filter` and `kire subgraph`: the leakage filter and the encoder subgraphs.

Options given as ``--options JSON`` are the config sections ``filter`` and ``subgraph`` (parsed as
JSON, never evaluated). Both commands are listed in kire.cli's registry: ``filter`` joins the
``kg`` command group (it writes a filtered copy of a KG table), ``subgraph`` is a top-level command.
"""

from __future__ import annotations

import argparse
import logging

from kire.linking.cli import add_engine_arguments, config_of

log = logging.getLogger(__name__)

FILTER_HELP = "drop relation triples between entity pairs of the protected (scored) splits' documents"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``subgraph`` to the top-level parser."""
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


def register_kg_filter(kg_subparsers: argparse._SubParsersAction) -> None:
    """Add ``filter`` to the ``kg`` command group (``kire kg filter``)."""
    parser = kg_subparsers.add_parser("filter", help=FILTER_HELP)
    parser.description = ("Writes OUT/relation_triples/part-*.parquet (the filtered triples) and "
                          "OUT/audit.json (see kire.subgraph.filter).")
    parser.add_argument("--kg", required=True, help="KG folder written by `kire kg extract`")
    parser.add_argument("--dataset", action="append", nargs=3, metavar=("NAME", "LINKS", "DOCS"), required=True,
                        help="a dataset: its name, links.parquet and document tables root (repeatable)")
    parser.add_argument("--out", required=True, help="output folder, e.g. RESULTS/kg_filtered")
    add_engine_arguments(parser, "filter")
    parser.set_defaults(func=run_filter)


def run_filter(args: argparse.Namespace) -> int:
    """Run `kire kg filter`."""
    from kire.subgraph.filter import FilterConfig, LinkedDataset, filter_relation_triples

    cfg = config_of(FilterConfig, args.options, "filter")
    datasets = [LinkedDataset(name, links, docs) for name, links, docs in args.dataset]
    audit = filter_relation_triples(args.kg, datasets, args.out, cfg, threads=args.threads,
                                    memory_limit=args.memory_limit)
    log.info("policy %s: removed %d of %d relation triples (%d protected pairs)", audit["policy"],
             audit["removed"], audit["triples_in"], audit["protected_pairs"])
    return 0


def run_subgraph(args: argparse.Namespace) -> int:
    """Run `kire subgraph`."""
    from kire.subgraph.build import SubgraphConfig, build_subgraphs

    cfg = config_of(SubgraphConfig, args.options, "subgraph")
    report = build_subgraphs(args.links, args.kg, args.filtered, args.out, cfg, threads=args.threads,
                             memory_limit=args.memory_limit)
    for split, counts in report["splits"].items():
        log.info("%s: %s", split, counts)
    return 0
