"""The `kire` command line: one subcommand per stage.

Each stage owns a module exposing ``register(subparsers)``, which adds its subcommand(s) and sets
``func`` on the parser to a callable taking the parsed ``argparse.Namespace`` and returning an exit
code. Adding a stage is one line in ``STAGE_COMMANDS``. A command group (`kire kg ...`) is a stage
module whose ``register`` returns the group's subparsers; ``GROUP_COMMANDS`` lists the functions
of later stages that add their subcommands to a group (`kire kg filter` runs after linking).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from kire import __version__
from kire.errors import KireError

# Modules are imported lazily at start-up only to build the parser; heavy imports (torch, dask)
# belong inside the command functions so that `kire --help` stays fast.
STAGE_COMMANDS: tuple[str, ...] = (
    "kire.kg.cli",
    "kire.docs.cli",
    "kire.coref.cli",
    "kire.linking.cli",
    "kire.subgraph.cli",
    "kire.embed.cli",
    "kire.sample.cli",
    "kire.report.cli",
    "kire.predict.cli",
    "kire.train.cli",
    "kire.eval.cli",
)
# group module -> "module:function" entries of later stages, each called with the group's
# subparsers after the group's own subcommands, in help order
GROUP_COMMANDS: dict[str, tuple[str, ...]] = {
    "kire.kg.cli": ("kire.subgraph.cli:register_kg_filter",),  # kg filter (scored-pair leakage, after linking)
}


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every stage's subcommands registered."""
    parser = argparse.ArgumentParser(
        prog="kire",
        description="Entity-knowledge injection for document-level relation extraction.",
    )
    parser.add_argument("--version", action="version", version=f"kire {__version__}")
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging verbosity (default: INFO)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in STAGE_COMMANDS:
        group = importlib.import_module(module_name).register(sub)
        for entry in GROUP_COMMANDS.get(module_name, ()):
            module, function = entry.split(":")
            getattr(importlib.import_module(module), function)(group)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `kire` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a reader gone at the last write is caught below
        return code
    except KireError as err:
        # Input errors are the user's to fix: one clear line, no stack trace.
        print(f"kire: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return _stdout_closed()


def _stdout_closed() -> int:
    """The reader of stdout left (`kire kg query ... | head`): end quietly, as a program killed by
    SIGPIPE would, with exit status 128 + 13. Python's documented recipe: point stdout at devnull
    so that the interpreter's final flush does not print a second BrokenPipeError."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass
    return 141


if __name__ == "__main__":
    sys.exit(main())
