"""The `kire kg` command group: preparing and querying the knowledge graph.

:func:`register` adds the group and returns its subparsers; kire.cli's registry
(``GROUP_COMMANDS``) then adds the subcommands: extract, query and synth (kire.kg.commands) and
filter (kire.subgraph.cli, the leakage filter that runs after linking).
"""

from __future__ import annotations

import argparse


def register(subparsers) -> argparse._SubParsersAction:
    """Add the `kg` group to the top-level parser; return the group's subparsers."""
    parser = subparsers.add_parser(
        "kg", help="knowledge graph: Wikidata dump -> Parquet tables + DuckDB",
        description="Prepare the knowledge graph from a Wikidata JSON dump and query it.",
    )
    kg_sub = parser.add_subparsers(dest="kg_command", metavar="KG_COMMAND")
    parser.set_defaults(func=lambda args: _help(parser))
    return kg_sub


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
