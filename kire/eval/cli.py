"""`kire eval TRUTH RESULT --train TRAIN`: the official DocRED metric and its breakdowns."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval", help="score a submission with the official DocRED metric",
        description="Print JSON {f1, ign_f1, p, r, ign_p, n_pred, n_gold, ..., evidence_f1 when "
                    "evidence is predicted, breakdowns: F1 by average mention count (1, (1,3], >3) "
                    "and intra/inter-sentence pairs}.",
    )
    p.add_argument("truth", help="labeled split: DocRED JSON or document-table folder")
    p.add_argument("result", help="submission: JSON list of {title, h_idx, t_idx, r, evidence}")
    p.add_argument("--train", required=True,
                   help="Ign F1 facts: DocRED train file, document-table folder or .fact list")
    p.add_argument("--out", help="also write the JSON to this file")
    p.add_argument("--no-breakdowns", action="store_true", help="only the overall scores")
    p.set_defaults(func=run_eval)

    r = subparsers.add_parser(
        "eval-run", help="write metrics.json of a `kire train` run folder",
        description="Score RUN/result_dev.json against DEV and, when TEST is labeled, RUN/result_test.json "
                    "against TEST; write RUN/metrics.json {dev: {...scores, theta}, test: {...}|null}.",
    )
    r.add_argument("run", help="run folder written by `kire train`")
    r.add_argument("--dev", required=True, help="dev split (DocRED JSON or document-table folder)")
    r.add_argument("--test", help="test split; ignored when it has no labels")
    r.add_argument("--train", required=True, help="Ign F1 facts: train split or .fact list")
    r.set_defaults(func=run_eval_run)


def run_eval(args: argparse.Namespace) -> int:
    from kire.eval.breakdown import breakdowns
    from kire.docs.read import read_split
    from kire.eval.metric import Truth, official_scores, read_submission, read_train_facts
    from kire.io import write_json_atomic

    truth = Truth.from_documents(read_split(args.truth), args.truth)
    records = read_submission(args.result)
    facts = read_train_facts(args.train)
    scores = official_scores(truth, records, facts)
    if not args.no_breakdowns:
        scores["breakdowns"] = breakdowns(truth, records, facts)
    if args.out:
        write_json_atomic(args.out, scores)
    print(json.dumps(scores))
    return 0


def run_eval_run(args: argparse.Namespace) -> int:
    from kire.eval.run_metrics import write_run_metrics

    metrics = write_run_metrics(args.run, args.dev, args.train, args.test)
    print(json.dumps({split: None if m is None else {k: m[k] for k in ("f1", "ign_f1", "p", "r", "theta")}
                      for split, m in metrics.items()}))
    return 0
