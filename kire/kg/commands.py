"""`kire kg extract | query | synth`: argument parsing only; the work lives in the modules they call."""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from kire.kg.codes import language_codes, site_codes


def _languages(text: str) -> tuple[str, ...]:
    try:
        return language_codes(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _sites(text: str) -> tuple[str, ...]:
    try:
        return site_codes(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def register(kg_sub) -> None:
    """Add extract, query and synth to the `kire kg` group."""
    p = kg_sub.add_parser(
        "extract", help="Wikidata JSON dump -> Parquet tables, DuckDB views and manifest.json",
        description="Stream a Wikidata JSON dump (.json, .json.gz, .json.bz2) through Dask into "
                    "Parquet tables under DIR; reruns resume from the chunks already finished.",
    )
    p.add_argument("dump", help="Wikidata JSON dump (.json, .json.gz or .json.bz2)")
    p.add_argument("--out", required=True, help="output folder DIR")
    p.add_argument("--languages", type=_languages, default=("en",),
                   help="comma-separated language codes; the first is the display language (default: en)")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster worker processes (default: number of CPUs); 0 or 1 = in this process")
    p.add_argument("--scheduler", default=None,
                   help="address of an existing Dask scheduler (workers must see DUMP and DIR)")
    p.add_argument("--chunk-mb", type=float, default=None,
                   help="MB of JSON per chunk (default: 64)")
    p.add_argument("--memory-limit", default=None, help="memory limit per LocalCluster worker, e.g. 2GB")
    p.add_argument("--sitelinks", type=_sites, default=("enwiki",),
                   help="comma-separated wikis whose page titles go to the sitelinks table, e.g. "
                        "enwiki,dewiki (default: enwiki); 'none' writes no sitelinks table")
    p.add_argument("--max-reject-share", type=_share, default=None,
                   help="largest share of entity lines that may be rejected as malformed before the "
                        "extraction fails without a manifest (default: 0.01)")
    p.add_argument("--keep-deprecated", action="store_true", help="keep deprecated-rank statements")
    p.add_argument("--qualifiers", action="store_true", help="also write the qualifiers table")
    p.set_defaults(func=_extract)

    q = kg_sub.add_parser(
        "query", help="run SQL over an extracted KG and print the result as a table",
        description="Run SQL over the views of DIR/kg.duckdb (entities, aliases, relation_triples, "
                    "attribute_triples, sitelinks[, qualifiers]).",
    )
    q.add_argument("dir", help="folder written by `kire kg extract`")
    q.add_argument("sql", help="SQL query")
    q.add_argument("--limit", type=int, default=1000, help="print at most this many rows (default 1000)")
    q.add_argument("--format", choices=["table", "jsonl"], default="table", help="output format")
    q.set_defaults(func=_query)

    s = kg_sub.add_parser(
        "synth", help="write a synthetic Wikidata dump for scale tests",
        description="Write a synthetic dump in the official format: entities shaped like a real dump's "
                    "head plus a long tail of small entities.",
    )
    s.add_argument("--entities", type=int, required=True, help="number of entities")
    s.add_argument("--out", required=True, help="output file (.json, .json.gz or .json.bz2)")
    s.add_argument("--reference", default=None,
                   help="real dump lines used as the shape reference (default: ../shared/data's real dump head "
                        "when present, else the bundled sample dump)")
    s.add_argument("--seed", type=int, default=0, help="random seed")
    s.set_defaults(func=_synth)


def extract_flags(kg_config: dict) -> str:
    """The `kire kg extract` options for the workflow's ``kg`` config section (used by rules/kg.smk)."""
    flags = ["--languages", ",".join(kg_config.get("languages", ["en"]))]
    if "sitelinks" in kg_config:
        flags += ["--sitelinks", ",".join(kg_config["sitelinks"]) or "none"]
    if kg_config.get("scheduler"):
        flags += ["--scheduler", kg_config["scheduler"]]
    if kg_config.get("chunk_mb"):
        flags += ["--chunk-mb", str(kg_config["chunk_mb"])]
    if kg_config.get("max_reject_share") is not None:
        flags += ["--max-reject-share", str(kg_config["max_reject_share"])]
    if kg_config.get("keep_deprecated"):
        flags.append("--keep-deprecated")
    if kg_config.get("qualifiers"):
        flags.append("--qualifiers")
    return " ".join(shlex.quote(f) for f in flags)


def _extract(args) -> int:
    import os

    from kire.kg.extract import DEFAULT_CHUNK_MB, DEFAULT_MAX_REJECT_SHARE, extract
    from kire.kg.tables import ExtractOptions

    options = ExtractOptions(languages=args.languages, keep_deprecated=args.keep_deprecated,
                             qualifiers=args.qualifiers, sitelinks=args.sitelinks)
    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    manifest = extract(args.dump, args.out, options, chunk_mb=args.chunk_mb or DEFAULT_CHUNK_MB,
                       workers=workers, scheduler=args.scheduler, memory_limit=args.memory_limit,
                       max_reject_share=(DEFAULT_MAX_REJECT_SHARE if args.max_reject_share is None
                                         else args.max_reject_share))
    summary = {k: manifest[k] for k in ("rows", "rejected", "wall_seconds", "entities_per_second")}
    print(json.dumps(summary, indent=2))
    return 0


def _query(args) -> int:
    from kire.kg.duck import format_table, run_query

    columns, rows = run_query(args.dir, args.sql, args.limit)
    if args.format == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row)), default=str, ensure_ascii=False) + "\n")
    elif columns:
        print(format_table(columns, rows))
    return 0


def _synth(args) -> int:
    from kire.kg.synth import write_synthetic_dump

    info = write_synthetic_dump(args.out, args.entities, reference=args.reference, seed=args.seed)
    print(json.dumps(info, indent=2))
    return 0
