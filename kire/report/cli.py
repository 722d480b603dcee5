"""`kire report`: tables and figures of a results tree (see kire.report.build for the files)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="tables (Markdown, CSV) and plots (PNG) of the runs under a results folder",
        description="Reads results/<dataset>/<model>/<variant>/seed<k>/metrics.json of the grid and "
                    "writes the paper's tables and figures. Runs of the grid that are missing show "
                    "'—' with a note. Grid dimensions not given are those found in the folder.")
    p.add_argument("--results", default="results", help="results folder (default: results)")
    p.add_argument("--out", default=None, help="report folder (default: RESULTS/report)")
    p.add_argument("--datasets", nargs="+", help="datasets of the grid")
    p.add_argument("--models", nargs="+", help="models of the grid")
    p.add_argument("--variants", nargs="+", help="variants of the grid, in table order")
    p.add_argument("--seeds", nargs="+", type=int, help="seeds of the grid")
    p.add_argument("--docs", default=None,
                   help="document tables, DOCS/<dataset>/{dev,train}: the truth of the bootstrap over "
                        "documents (default: RESULTS/docs)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kire.report.build import write_report
    from kire.report.collect import Grid, discover_grid

    found = discover_grid(args.results)
    grid = Grid(datasets=args.datasets or found.datasets, models=args.models or found.models,
                variants=args.variants or found.variants, seeds=args.seeds or found.seeds)
    if not grid.runs():
        from kire.errors import KireError

        raise KireError(f"no runs to report: nothing under {args.results}/<dataset>/<model>/<variant>/"
                        "seed<k>/metrics.json and no complete grid given")
    out = args.out or str(Path(args.results) / "report")
    for path in write_report(args.results, out, grid, args.docs):
        print(path)
    return 0
