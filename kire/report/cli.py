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

    i = subparsers.add_parser(
        "inspect", help="static HTML page of a run's predictions, document by document",
        description="Writes one HTML file (opens from disk, no server): the dev documents of RUN with "
                    "per-document P/R/F1, sortable and filterable, and a view of each document (mentions "
                    "coloured by entity, KG ids, correct / false-positive / missed relations with evidence; "
                    "for stage-2 runs the KG facts of each pair and whether base/continue got it). With "
                    "--predictions: the same view of `kire predict`'s output on INPUT.")
    i.add_argument("run", nargs="?", help="run folder <results>/<dataset>/<model>/<variant>/seed<k>")
    i.add_argument("--out", help="HTML file (default: <results>/report/inspect/<dataset>/<model>/<variant>/"
                                 "seed<k>.html; with --predictions: the predictions file with .html)")
    i.add_argument("--docs", help="document tables <docs>/<dataset>/{dev,train} (default: <results>/docs)")
    i.add_argument("--subgraph", help="the dataset's subgraph folder (default: the run's, else "
                                      "<results>/subgraph/<dataset>)")
    i.add_argument("--rel-info", help="relation names, JSON {id: name} (default: the subgraph's)")
    i.add_argument("--predictions", help="kire predict's output JSON: write its predict page instead")
    i.add_argument("--input", help="with --predictions: the DocRED JSON or text file kire predict read")
    i.add_argument("--title", help="with --predictions and a text input: its title, as given to kire predict")
    i.set_defaults(func=run_inspect)


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


def run_inspect(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kire.errors import KireError
    from kire.report.inspect import write_predict_page, write_run_page

    if args.predictions:
        if not args.input:
            raise KireError("--predictions needs --input, the file kire predict read")
        out = args.out or str(Path(args.predictions).with_suffix(".html"))
        print(write_predict_page(args.input, args.predictions, out, args.title))
        return 0
    if not args.run:
        raise KireError("give a run folder, or --predictions and --input")
    names = {}
    if args.rel_info:
        from kire.docs.validate import read_json_file

        names = read_json_file(args.rel_info)
    run = Path(args.run).resolve()
    out = args.out or str(run.parents[3] / "report" / "inspect" / run.parents[2].name / run.parents[1].name
                          / run.parent.name / f"{run.name}.html")
    print(write_run_page(args.run, out, args.docs, args.subgraph, names))
    return 0
