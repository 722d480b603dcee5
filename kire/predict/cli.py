"""`kire predict --run RUN INPUT`: relations a trained run finds in new documents."""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict", help="relations found by a trained run in new documents (DocRED JSON or plain text)",
        description="INPUT is a DocRED-format JSON file (labels optional) or a plain-text file (one "
                    "document; '-' reads standard input): spaCy finds its sentences, tokens and entity "
                    "mentions. Entities are linked to the KG and, for knowledge-injection runs, their KG "
                    "subgraph and coreference triples are built as in training. Prints the relations "
                    "whose score reaches the run's theta and writes them as JSON.")
    p.add_argument("--run", required=True, help="run folder results/<dataset>/<model>/<variant>/seed<k>")
    p.add_argument("input", help="DocRED JSON file, or a text file ('-': standard input)")
    p.add_argument("--out", help="JSON output (default: RUN/predictions/<input name>.json)")
    p.add_argument("--title", help="title of a plain-text document (default: the file name)")
    p.add_argument("--config", default="config.yaml",
                   help="workflow config whose linking, subgraph and coref sections and dataset "
                        "rel_info are used (default: config.yaml, if present)")
    p.add_argument("--rel-info", help="relation names (default: the run dataset's rel_info in --config)")
    p.add_argument("--kg", help="KG folder (default: <results>/kg of the run's results folder)")
    p.add_argument("--filtered", help="filtered KG folder (default: <results>/kg_filtered)")
    p.add_argument("--no-link", action="store_true", help="base runs: skip entity linking (no KG ids)")
    p.add_argument("--theta", type=float, help="threshold (default: the run's theta.json)")
    p.add_argument("--batch-size", type=int, default=4, help="documents per scoring batch (default: 4)")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default: cpu)")
    p.add_argument("--threads", type=int, help="torch and DuckDB threads")
    p.set_defaults(func=run_predict)


def _config(path: str) -> dict:
    from pathlib import Path

    import yaml

    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _labels(args, config: dict, dataset: str) -> dict[str, str]:
    import json
    from pathlib import Path

    from kire.errors import InputError

    path = args.rel_info or ((config.get("datasets") or {}).get(dataset) or {}).get("rel_info")
    if not path:
        log.warning("no rel_info for dataset %r: relations are shown by id (use --rel-info)", dataset)
        return {}
    try:
        labels = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(str(path), None, None, f"cannot read relation names ({err})") from None
    if not isinstance(labels, dict):
        raise InputError(str(path), None, None, "expected a JSON object of relation id -> name")
    return labels


def is_docred_json(path: str) -> bool:
    """Whether INPUT is read as a DocRED JSON file (a .json name) rather than plain text."""
    from pathlib import Path

    return path != "-" and Path(path).suffix.lower() == ".json"


def read_input(path: str, title: str | None):
    """Documents of INPUT: a DocRED JSON file, or one plain-text document."""
    import sys
    from pathlib import Path

    from kire.errors import InputError

    if is_docred_json(path):
        from kire.docs.docred import read_docred

        return read_docred(path)
    if path == "-":
        text, name = sys.stdin.read(), title or "stdin"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise InputError(path, None, None, f"cannot read ({err})") from None
        name = title or Path(path).stem
    from kire.coref.parse import load_spacy
    from kire.predict.text import document_from_text

    return [document_from_text(text, load_spacy(), name, path)]


def format_table(records: list[dict]) -> str:
    """The relations as aligned text lines: title, head, relation, tail, score."""
    if not records:
        return "no relation reaches the threshold"

    def ent(e: dict) -> str:
        return f"{e['name']} [{e['type']}{', ' + e['kb_id'] if e.get('kb_id') else ''}]"

    rows = [(r["title"], ent(r["head"]), f"{r['r_label']} ({r['r']})", ent(r["tail"]), f"{r['score']:.3f}")
            for r in records]
    header = ("document", "head", "relation", "tail", "score")
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *rows])


def run_predict(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from kire.errors import KireError
    from kire.io import write_json_atomic
    from kire.models.checkpoint import read_model_meta
    from kire.predict.run import predict, training_size_note
    from kire.predict.types import documents_in_run_scheme

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    run = Path(args.run)
    meta = read_model_meta(run)
    if len(run.resolve().parts) < 5:
        raise KireError(f"{run}: expected a run folder results/<dataset>/<model>/<variant>/seed<k>")
    results, dataset = run.resolve().parents[3], run.resolve().parents[2].name
    config = _config(args.config)
    labels = _labels(args, config, dataset)
    size_line, tiny = training_size_note(results, dataset)
    if tiny:  # once, as a warning (stderr), not also as the stdout header line
        log.warning("run %s: %s %s, %s", run, meta["model"], meta["variant"], size_line)
    else:
        print(f"run {run}: {meta['model']} {meta['variant']}, {size_line}")
    documents, _ = documents_in_run_scheme(
        read_input(args.input, args.title), list(meta["space"]["ner_types"]), args.input,
        from_text=not is_docred_json(args.input))
    kg = Path(args.kg) if args.kg else results / "kg"
    filtered = Path(args.filtered) if args.filtered else results / "kg_filtered"
    knowledge = meta["variant"] != "base"

    links = None
    if knowledge or (not args.no_link and kg.is_dir()):
        from kire.predict.knowledge import kb_ids_of, link_documents

        if not kg.is_dir():
            raise KireError(f"{kg} not found: a {meta['variant']} run needs the KG to link new documents (--kg)")
        links = link_documents(documents, kg, config.get("linking"), args.threads)
        log.info("linked %d of %d entities", links.num_rows, sum(len(d.entities) for d in documents))
    elif not args.no_link:
        log.warning("%s not found: entities are not linked (no KG ids; use --kg)", kg)

    with tempfile.TemporaryDirectory(prefix="kire-predict-") as work:
        settings = None
        if knowledge:
            from kire.predict.knowledge import knowledge_settings

            settings = knowledge_settings(
                documents, dict(meta.get("variant_settings") or {}), work, kg_dir=kg, filtered_dir=filtered,
                links=links, subgraph_options=config.get("subgraph"), coref_options=config.get("coref"),
                threads=args.threads)
        records = predict(run, documents, labels, settings=settings,
                          kb_ids=kb_ids_of(links) if links is not None else None,
                          batch_size=args.batch_size, device=args.device, theta=args.theta)
    out = Path(args.out) if args.out else run / "predictions" / f"{Path(args.input).stem if args.input != '-' else 'stdin'}.json"
    write_json_atomic(out, records)
    print(format_table(records))
    print(f"{len(records)} relations in {len(documents)} document(s) -> {out}")
    return 0
