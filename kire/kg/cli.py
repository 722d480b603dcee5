"""The `kire kg` command group: preparing and querying the knowledge graph.

Each module in ``KG_SUBCOMMANDS`` exposes ``register(kg_subparsers)`` and adds its own `kire kg ...`
subcommand(s) to the group (setting ``func`` like every kire command). Adding one is one line here.
"""

from __future__ import annotations

import argparse
import importlib

KG_SUBCOMMANDS: tuple[str, ...] = (
    "kire.kg.commands",  # extract, query, synth
    "kire.kg.filter",  # filter (test-pair leakage)
)


def register(subparsers) -> None:
    """Add the `kg` group and every subcommand of ``KG_SUBCOMMANDS`` to the top-level parser."""
    parser = subparsers.add_parser(
        "kg", help="knowledge graph: Wikidata dump -> Parquet tables + DuckDB",
        description="Prepare the knowledge graph from a Wikidata JSON dump and query it.",
    )
    kg_sub = parser.add_subparsers(dest="kg_command", metavar="KG_COMMAND")
    for module_name in KG_SUBCOMMANDS:
        importlib.import_module(module_name).register(kg_sub)
    parser.set_defaults(func=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
