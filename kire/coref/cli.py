"""`kire coref`: coreference triples (build), GAP evaluation (eval-gap) and fitting (fit-gap)."""

from __future__ import annotations

import argparse
import json
import logging

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``coref`` command group."""
    coref = subparsers.add_parser("coref", help="coreference triples for KIRE's coreference distillation")
    sub = coref.add_subparsers(dest="coref_command", metavar="COMMAND")

    build = sub.add_parser(
        "build", help="coreference triples of one dataset split -> coref Parquet",
        description="Writes OUT (coref table, schema in kire/coref/table.py) and OUT with .json "
                    "replaced by a summary. Sources and caps come from --options (config key coref).",
    )
    src = build.add_mutually_exclusive_group(required=True)
    src.add_argument("--docs", help="a split's document tables folder, e.g. results/docs/<dataset>/dev")
    src.add_argument("--docred", help="a DocRED-format JSON file (instead of --docs)")
    build.add_argument("--split", default=None, help="split name, to select its rows of --links")
    build.add_argument("--out", required=True, help="output Parquet file")
    build.add_argument("--options", default="{}", help="JSON of the coref config section")
    build.add_argument("--links", default=None, help="links Parquet (kg_aliases source)")
    build.add_argument("--kg", default=None, help="KG folder with aliases/ (kg_aliases source)")
    build.add_argument("--neuralcoref-scores", default=None,
                       help="JSON lines written by workflow/scripts/neuralcoref_scores.py (neuralcoref backend)")
    build.add_argument("--model", default=None, help="salience model JSON (default: the shipped one)")
    build.add_argument("--limit", type=int, default=None, help="only the first N documents")
    build.add_argument("--workers", type=int, default=1,
                       help="processes that parse and resolve (salience resolver; default 1; one per "
                            "64 documents at most; the triples are the same for any number)")
    build.add_argument("--no-progress", action="store_true",
                       help="no progress on stderr (default: a bar on a terminal, a line every 30 s "
                            "in a log)")
    build.set_defaults(func=run_build)

    gap = sub.add_parser(
        "eval-gap", help="score a resolver backend on a GAP TSV file; prints JSON",
        description="Prints {precision, recall, f1, tp, fp, fn, threshold, calibration} for GAP's "
                    "A-coref/B-coref decisions, as GAP's scorer counts them.",
    )
    gap.add_argument("file", help="GAP TSV (gap-development.tsv, gap-validation.tsv, gap-test.tsv)")
    gap.add_argument("--backend", default="salience", help="resolver backend to score (default: salience)")
    gap.add_argument("--model", default=None, help="salience model JSON (default: the shipped one)")
    gap.add_argument("--limit", type=int, default=None, help="only the first N examples")
    gap.set_defaults(func=run_eval_gap)

    fit = sub.add_parser(
        "fit-gap", help="fit the salience resolver (name-gender lexicon, weights, threshold) on GAP",
        description="Writes name_gender.json and salience_model.json into OUT (the shipped ones "
                    "live in kire/coref/data). Fit on gap-development; evaluate on another file.",
    )
    fit.add_argument("file", help="GAP development TSV")
    fit.add_argument("--out", required=True, help="output folder")
    fit.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the ranking model")
    fit.set_defaults(func=run_fit_gap)

    sieves = sub.add_parser(
        "fit-sieves", help="measure the string sieves' precision on annotated documents",
        description="Runs the name sieves with the annotated mentions given but their entities hidden "
                    "and stores each sieve's precision (the p of its links) in the model's meta. "
                    "Run after fit-gap, e.g. on ../shared/data/redocred/dev_revised.json.",
    )
    sieves.add_argument("file", help="DocRED-format JSON with annotated entities")
    sieves.add_argument("--model", required=True, help="salience model JSON to update")
    sieves.set_defaults(func=run_fit_sieves)
    coref.set_defaults(func=lambda args: coref.print_help() or 2)


def run_build(args: argparse.Namespace) -> int:
    """Run `kire coref build`."""
    from pathlib import Path

    from kire.coref.build import CorefOptions, build_coref
    from kire.errors import KireError
    from kire.io import write_json_atomic, write_parquet_atomic

    try:
        opts = CorefOptions.from_dict(json.loads(args.options))
    except json.JSONDecodeError as err:
        raise KireError(f"--options is not valid JSON ({err})") from None
    if args.docs:
        from kire.docs.model import read_documents

        if not Path(args.docs, "docs.parquet").exists():
            raise KireError(f"{args.docs}: no docs.parquet (run the prepare_docs rule first)")
        documents = read_documents(args.docs)
    else:
        from kire.docs.docred import read_docred

        documents = read_docred(args.docred)
    documents = documents[: args.limit]
    table, summary = build_coref(documents, opts, split=args.split, links_path=args.links,
                                 kg_dir=args.kg, neuralcoref_scores=args.neuralcoref_scores,
                                 model_path=args.model, workers=args.workers,
                                 progress=not args.no_progress)
    out = Path(args.out)
    write_parquet_atomic(table, out)
    write_json_atomic(out.with_suffix(".json"), summary)
    log.info("%s: %d triples from %d documents (%s)", out, table.num_rows, len(documents),
             summary["kept_by_source"])
    return 0


def run_eval_gap(args: argparse.Namespace) -> int:
    """Run `kire coref eval-gap` and print its JSON."""
    from kire.coref.gap import evaluate_gap

    result = evaluate_gap(args.file, args.backend, args.model, limit=args.limit)
    print(json.dumps(result, indent=2))
    return 0


def run_fit_gap(args: argparse.Namespace) -> int:
    """Run `kire coref fit-gap`."""
    from kire.coref.fit import fit_gap

    print(json.dumps(fit_gap(args.file, args.out, l2=args.l2), indent=2))
    return 0


def run_fit_sieves(args: argparse.Namespace) -> int:
    """Run `kire coref fit-sieves`."""
    from pathlib import Path

    from kire.coref.fit import sieve_precision
    from kire.docs.docred import read_docred
    from kire.io import write_json_atomic

    model = json.loads(Path(args.model).read_text(encoding="utf-8"))
    measured = sieve_precision(read_docred(args.file))
    model.setdefault("meta", {})["sieve_precision"] = {k: v["precision"] for k, v in measured.items()}
    model["meta"]["sieve_measurement"] = {"file": Path(args.file).name, **measured}
    write_json_atomic(args.model, model)
    print(json.dumps(measured, indent=2))
    return 0
