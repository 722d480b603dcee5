"""Work over a list in fixed chunks, in forked worker processes or in the calling one.

The salience resolver spends most of its time in spaCy's parser and NER, one document after
another; :func:`chunked_results` lets ``workers`` processes each parse and resolve whole chunks.
Workers are forked, so they inherit the loaded pipeline and the documents instead of receiving
them pickled, and they send back only each chunk's results (triples, not parses), which keeps the
CPU time per document that of one process (spaCy's own ``nlp.pipe(n_process=...)`` ships every
parse back serialised: about 15% more CPU per document, measured by benchmarks/coref_speed.py).
"""

from __future__ import annotations

import multiprocessing
from typing import Callable, Iterator, TypeVar

R = TypeVar("R")

# A worker pays a fork and the first touches of the copied pipeline: only worth it when each
# worker gets several chunks.
MIN_ITEMS_PER_WORKER = 64

_FORKED_WORK: Callable[[int, int], list] | None = None  # read by forked workers only


def worker_processes(n_items: int, workers: int) -> int:
    """How many processes work on ``n_items``: at most ``workers``, at least one, and one per
    :data:`MIN_ITEMS_PER_WORKER` items (1 = the calling process alone, no fork)."""
    return max(1, min(int(workers), n_items // MIN_ITEMS_PER_WORKER))


def _run_forked(bounds: tuple[int, int]) -> list:
    return _FORKED_WORK(*bounds)


def chunked_results(work: Callable[[int, int], list[R]], n_items: int, chunk_size: int,
                    workers: int = 1) -> Iterator[tuple[int, list[R]]]:
    """Yield ``(start, work(start, end))`` for the chunks ``[start, end)`` of ``chunk_size`` items
    covering ``range(n_items)``, in order.

    ``work`` runs in :func:`worker_processes` forked processes (``multiprocessing`` with the
    ``fork`` start method) or, for one, in the calling process. Its results must pickle. The
    chunks are the same for any number of workers, so is every result of a deterministic ``work``.
    """
    global _FORKED_WORK
    bounds = [(s, min(s + chunk_size, n_items)) for s in range(0, n_items, chunk_size)]
    processes = worker_processes(n_items, workers)
    if processes == 1:
        for start, end in bounds:
            yield start, work(start, end)
        return
    _FORKED_WORK = work
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for (start, _), results in zip(bounds, pool.imap(_run_forked, bounds)):
                yield start, results
    finally:
        _FORKED_WORK = None
