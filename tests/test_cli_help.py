"""Every command-line option of every kire command has help text (issue 15 §5): the test walks
the argparse parsers of `kire` and all its subcommands, nested groups included."""

from __future__ import annotations

import argparse

from kire.cli import build_parser


def walk(parser: argparse.ArgumentParser, path: str):
    """Yield ``(command path, action)`` for every action of ``parser`` and its subparsers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, f"{path} {name}")
        else:
            yield path, action


def missing_help(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(f"{path}: {'/'.join(a.option_strings) or a.dest}"
                  for path, a in walk(parser, "kire")
                  if not isinstance(a, argparse._HelpAction) and a.help != argparse.SUPPRESS
                  and not (a.help or "").strip())


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    assert sum(1 for _ in walk(parser, "kire")) > 100  # the walk reaches the subcommands' options
    assert missing_help(parser) == []


def test_the_walk_finds_an_option_without_help():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers().add_parser("stage").add_subparsers().add_parser("step")
    sub.add_argument("--documented", help="has help")
    sub.add_argument("--bare")
    assert missing_help(parser) == ["kire stage step: --bare"]
