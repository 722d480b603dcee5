"""`kire eval TRUTH RESULT --train TRAIN` and `kire eval-run RUN`: the official DocRED metric and
its breakdowns."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _scoring_options(p: argparse.ArgumentParser, split_note: str) -> None:
    """The options both commands share: Ign F1's facts, relation ids, knowledge-channel tables."""
    p.add_argument("--train", required=True,
                   help="Ign F1 facts: DocRED train file, document-table folder or .fact list")
    p.add_argument("--train-distant",
                   help="also Ign F1 against these facts (ign_f1_distant): DocRED's train_distant.json or a .fact list")
    p.add_argument("--rel-info",
                   help="the dataset's rel_info.json: counts records of unknown relations and bounds "
                        "Re-DocRED's long-tail group (without it every relation but their ten is long-tail)")
    p.add_argument("--links", help="the dataset's links.parquet (kire link): adds the breakdown by linked "
                                   f"entities per pair (both/one/none){split_note}")
    p.add_argument("--subgraph", help="the dataset's subgraph folder RESULTS/subgraph/<dataset> (kire "
                                      "subgraph): adds the breakdown by KG edge between the pair's "
                                      f"entities (edge/no_edge), read from <folder>/<split>/{split_note}")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval", help="score a submission with the official DocRED metric",
        description="Print JSON {f1, ign_f1, p, r, ign_p, n_pred, n_gold, ..., evidence_p/r/f1 when "
                    "evidence is predicted, records: the count of each kind of mismatched record "
                    "(duplicate, unknown_title, bad_index, unknown_relation; scored as the official "
                    "scorer does), warnings, breakdowns: by average mention count (1, (1,3], >3), "
                    "intra/inter-sentence pairs, pairs more than 5 sentences apart, Re-DocRED's "
                    "frequent/long-tail relations, and with --links/--subgraph linked entities and "
                    "KG edge per pair}. Mismatched records are also counted on stderr, each kind with the "
                    "index of its first record in the file.",
    )
    p.add_argument("truth", help="labeled split: DocRED JSON or document-table folder (titles unique)")
    p.add_argument("result", help="submission: JSON list of {title, h_idx, t_idx, r, evidence}")
    _scoring_options(p, "")
    p.add_argument("--split", help="the truth's split name in the links table and subgraph folder "
                                   "(default: the truth folder's name)")
    p.add_argument("--out", help="also write the JSON to this file")
    p.add_argument("--no-breakdowns", action="store_true", help="only the overall scores")
    p.set_defaults(func=run_eval)

    r = subparsers.add_parser(
        "eval-run", help="write metrics.json of a `kire train` run folder",
        description="Score RUN/result_dev.json against DEV and, when TEST is labeled, RUN/result_test.json "
                    "against TEST; write RUN/metrics.json {dev: {...kire eval's output, theta}, "
                    "test: {...}|null}.",
    )
    r.add_argument("run", help="run folder written by `kire train`")
    r.add_argument("--dev", required=True, help="dev split (DocRED JSON or document-table folder)")
    r.add_argument("--test", help="test split; ignored when it has no labels")
    _scoring_options(r, " (splits dev and test)")
    r.set_defaults(func=run_eval_run)


def _warn(scores: dict | None) -> None:
    for line in (scores or {}).get("warnings", ()):
        print(f"kire: warning: {line}", file=sys.stderr)


def run_eval(args: argparse.Namespace) -> int:
    from kire.eval.run_metrics import ScoringInputs, split_scores
    from kire.errors import InputError
    from kire.io import write_json_atomic

    split = args.split or (Path(args.truth).name if Path(args.truth).is_dir() else None)
    if (args.links or args.subgraph) and not split:
        raise InputError(args.truth, None, None, "--links/--subgraph need --split (the truth's split name)")
    inputs = ScoringInputs.read(args.train, args.train_distant, args.rel_info, args.links, args.subgraph)
    scores = split_scores(args.truth, args.result, inputs, split, with_breakdowns=not args.no_breakdowns)
    if scores is None:
        raise InputError(args.truth, None, "labels", "missing: the truth must be a labeled split")
    _warn(scores)
    if args.out:
        write_json_atomic(args.out, scores)
    print(json.dumps(scores))
    return 0


def run_eval_run(args: argparse.Namespace) -> int:
    from kire.eval.run_metrics import ScoringInputs, write_run_metrics

    inputs = ScoringInputs.read(args.train, args.train_distant, args.rel_info, args.links, args.subgraph)
    metrics = write_run_metrics(args.run, args.dev, inputs, args.test)
    for scores in metrics.values():
        _warn(scores)
    print(json.dumps({split: None if m is None else {k: m[k] for k in ("f1", "ign_f1", "p", "r", "theta")}
                      for split, m in metrics.items()}))
    return 0
