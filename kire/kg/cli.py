"""The `kire kg` command group: preparing and querying the knowledge graph.

:func:`register` adds the group with the stage's own subcommands (extract, query and synth, parsed
in kire.kg.commands) and returns the group's subparsers; kire.cli's registry (``GROUP_COMMANDS``)
adds the group's members from later stages: filter (kire.subgraph.cli, the leakage filter that
runs after linking).
"""

from __future__ import annotations

import argparse

from kire.kg import commands


def register(subparsers) -> argparse._SubParsersAction:
    """Add the `kg` group and its extract, query and synth to the top-level parser; return the
    group's subparsers."""
    parser = subparsers.add_parser(
        "kg", help="knowledge graph: Wikidata dump -> Parquet tables + DuckDB",
        description="Prepare the knowledge graph from a Wikidata JSON dump and query it.",
    )
    kg_sub = parser.add_subparsers(dest="kg_command", metavar="KG_COMMAND")
    commands.register(kg_sub)
    parser.set_defaults(func=lambda args: _help(parser))
    return kg_sub


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
