"""Documents per second of `kire coref build`'s resolver: the previous code path against workers.

Rows, all measured in the same run on the same documents (the resolver source alone, annotations
and KG aliases off):

- ``previous``: the code before the worker processes, the baseline: one ``nlp.pipe`` over every
  document in the calling process, each parse resolved as it comes;
- ``spacy-n2``: the same with spaCy's own ``nlp.pipe(n_process=2)`` (parses shipped back
  serialised), the alternative kire.coref.parallel was measured against;
- ``workers=N``: `kire coref build --workers N` (kire.coref.parallel: chunks of ``batch_size``
  documents parsed and resolved in N forked processes).

Every row's triples must equal the baseline's, or the script fails.

    nice .venv/bin/python benchmarks/coref_speed.py --n-docs 256
    .venv/bin/python benchmarks/coref_speed.py --file ../shared/data/redocred/dev_revised.json --workers 1 2 4

Prints one JSON object per row (wall s, CPU s of this process and its children, documents per
wall second and per CPU second, the load average before and after), then a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

from kire.coref.backends import SalienceBackend
from kire.coref.parallel import worker_processes
from kire.coref.parse import doc_from_tokens
from kire.docs.docred import read_docred

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "redocred" / "dev_revised.json"


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def previous_triples(backend: SalienceBackend, documents, n_process: int = 1) -> dict:
    """The resolver's loop before kire.coref.parallel: one nlp.pipe over all documents."""
    nlp, model = backend.check()
    sieve_p = model.meta.get("sieve_precision", {})
    parses = nlp.pipe((doc_from_tokens(nlp, d.sents) for d in documents),
                      batch_size=backend.batch_size, n_process=n_process)
    return {d: backend._resolved_triples(doc, parsed, model, sieve_p)
            for d, (doc, parsed) in enumerate(zip(documents, parses))}


def measured_row(name: str, processes: int, run, n_docs: int) -> tuple[dict, dict]:
    """({row, processes, documents, wall_s, cpu_s, docs_per_s, docs_per_cpu_s, load}, triples)."""
    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), cpu_seconds()
    triples = run()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    row = {"row": name, "processes": processes, "documents": n_docs, "wall_s": round(wall, 2),
           "cpu_s": round(cpu, 2), "docs_per_s": round(n_docs / wall, 2),
           "docs_per_cpu_s": round(n_docs / cpu, 2),
           "load_before": [round(x, 2) for x in load_before],
           "load_after": [round(x, 2) for x in os.getloadavg()]}
    return row, triples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=str(DEFAULT_FILE), help="DocRED-format JSON file")
    parser.add_argument("--n-docs", type=int, default=256, help="its first N documents")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker processes of the `workers=N` rows")
    parser.add_argument("--no-spacy-n-process", action="store_true",
                        help="leave out the spacy-n2 row")
    parser.add_argument("--batch-size", type=int, default=32, help="documents per spaCy batch")
    args = parser.parse_args()

    documents = read_docred(args.file)[: args.n_docs]
    n = len(documents)
    backend = SalienceBackend(batch_size=args.batch_size, progress=None)
    backend.check()  # imports and the pipeline's first load are not part of any row
    runs = [("previous", 1, lambda: previous_triples(backend, documents))]
    if not args.no_spacy_n_process:
        runs.append(("spacy-n2", 2, lambda: previous_triples(backend, documents, n_process=2)))
    for workers in args.workers:
        def run(workers=workers):
            backend.workers = workers
            return backend.document_triples(documents)
        runs.append((f"workers={workers}", worker_processes(n, workers), run))
    rows, baseline = [], None
    for name, processes, run in runs:
        row, triples = measured_row(name, processes, run, n)
        if baseline is None:
            baseline = triples
        elif triples != baseline:
            raise SystemExit(f"{name}: the triples differ from the baseline's")
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = rows[0]["docs_per_s"]
    print(f"\n{n} documents of {Path(args.file).name}, {os.cpu_count()} CPUs; triples identical")
    print("| row | processes | docs/s (wall) | docs per CPU-s | wall speed-up | load before |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['row']} | {r['processes']} | {r['docs_per_s']} | {r['docs_per_cpu_s']} | "
              f"{r['docs_per_s'] / base:.2f}x | {r['load_before'][0]} |")


if __name__ == "__main__":
    main()
