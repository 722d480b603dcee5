"""`kire kg extract`: the Wikidata dump to Parquet tables, chunk by chunk on Dask workers, resumable.

Three steps: :func:`extraction_plan` (format, chunk size, resume, where chunks run),
:func:`run_chunks` (executor, reader, spool; each task gets a :class:`kire.kg.chunk.ChunkSpec`
that reads its own text) and :func:`finish_extraction` (markers, rejects, views, manifest).

Output folder layout::

    DIR/<table>/part-<k>.parquet   one part per chunk and table (zstd), schemas in kire.kg.schema
    DIR/_chunks/plan.json          what the chunk numbering depends on (input, size, chunk size, options)
    DIR/_chunks/part-<k>.json      marker of a finished chunk (its counts); a rerun skips these chunks
    (spool)/slot-<i>.txt           gzip only, local Dask workers: reused files the reader decompresses
                                   chunks into (kire.kg.spool; /dev/shm, else DIR/_chunks/spool/)
    (spool)/part-<k>.txt           gzip only, --scheduler: a decompressed chunk waiting for its worker
                                   (DIR/_chunks/spool/); deleted once its parts exist
    DIR/_chunks/dump-lines.json    a dump in another JSON shape rewritten one entity per line
                                   (kire.kg.shape); deleted once the manifest is written
    DIR/rejects.jsonl              malformed lines, with chunk and byte offset
    DIR/kg.duckdb                  a view per table
    DIR/manifest.json              written last: its presence means the whole extraction succeeded
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import logging
import mmap
import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

from kire import __version__
from kire.errors import KireError
from kire.io import atomic_path, write_json_atomic
from kire.kg import chunk as chunks
from kire.kg import shape as shapes
from kire.kg.duck import DB_NAME, write_views
from kire.kg.schema import KG_TABLES
from kire.kg.sources import (
    TAIL_BLOCK, dump_format, json_ranges, open_decompressed, open_gzip_stream, read_decompressed,
    stream_chunks,
)
from kire.kg.spool import SpoolSlots, fill_chunks
from kire.kg.tables import ExtractOptions
from kire.progress import Progress

log = logging.getLogger(__name__)

DEFAULT_CHUNK_MB = 64
#: the largest share of entity lines that may be rejected before the extraction fails (kg.max_reject_share)
DEFAULT_MAX_REJECT_SHARE = 0.01
#: rejected lines whose offsets the warning names
REJECTS_NAMED = 5


# ---- the task a worker runs -------------------------------------------------------------------

def run_chunk(spec: chunks.ChunkSpec, out: str, options: ExtractOptions) -> dict:
    """Extract one chunk and write its parts; return its marker. Runs on a Dask worker.

    ``spec`` says where the chunk's text is and reads it (kire.kg.chunk.ChunkSpec); once the parts
    and the marker are written, ``spec.finished()`` lets go of its source (a spool file).
    """
    offset, data = spec.read()
    with chunks.gc_paused():  # also while the rows become Arrow tables
        rows, rejects = chunks.extract_lines(data, spec.chunk, offset, options)
        marker = chunks.write_chunk(Path(out), spec.chunk, rows, rejects, {"json_bytes": len(data)})
    if isinstance(data, mmap.mmap):
        with contextlib.suppress(BufferError):  # a view still alive: the collector unmaps it
            data.close()
    spec.finished()
    return marker


def process_usage() -> dict:
    """Peak resident memory (MB) and CPU seconds of the calling process (a worker or the driver)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = ru.ru_maxrss
    # ru_maxrss survives exec on Linux (a spawned worker would report its parent's peak); VmHWM is
    # the peak of this process's own address space.
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            peak_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        pass
    return {"peak_rss_mb": round(peak_kb / 1024, 1), "cpu_seconds": round(ru.ru_utime + ru.ru_stime, 3)}


# ---- planning and resume ----------------------------------------------------------------------

def _plan_record(dump: Path, fmt: str, chunk_bytes: int, options: ExtractOptions) -> dict:
    """What the chunk numbering depends on (written to _chunks/plan.json; a rerun with another starts over)."""
    st = dump.stat()
    return {
        "input": str(dump.resolve()), "format": fmt, "bytes": st.st_size, "mtime_ns": st.st_mtime_ns,
        "chunk_bytes": chunk_bytes, "options": asdict(options),
    }


def _prepare_out(out: Path, plan: dict, tables: tuple[str, ...]) -> set[int]:
    """Remove the previous run's final files; keep finished chunks of the same plan. Return their ids."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("manifest.json", DB_NAME, "rejects.jsonl"):
        (out / name).unlink(missing_ok=True)
    plan_file = out / "_chunks" / "plan.json"
    old = json.loads(plan_file.read_text()) if plan_file.is_file() else None
    if old != json.loads(json.dumps(plan)):
        if old is not None:
            log.info("input or options changed since the last run: starting over")
        for name in list(KG_TABLES) + ["_chunks"]:
            shutil.rmtree(out / name, ignore_errors=True)
        write_json_atomic(plan_file, plan)
        return set()
    done = set()
    for marker in (out / "_chunks").glob("part-*.json"):
        k = int(marker.stem.split("-")[1])
        if all((out / t / f"{chunks.part_name(k)}.parquet").is_file() for t in tables):
            done.add(k)
    return done


# ---- executors --------------------------------------------------------------------------------

class _InProcess:
    """Runs chunks in this process, one after another (``--workers 0``)."""

    n_workers = 1

    def map_chunks(self, specs, out, options, on_done):
        for spec in specs:
            on_done(run_chunk(spec, out, options))

    def worker_usage(self) -> list[dict]:
        return []

    def close(self):
        pass


class _Dask:
    """Runs chunks on a dask.distributed cluster: a LocalCluster, or an existing one by address."""

    def __init__(self, scheduler: str | None, workers: int, memory_limit: str | None):
        from distributed import Client, LocalCluster

        # kire logs at INFO; the cluster's own start/stop chatter is only wanted when debugging.
        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger("distributed").setLevel(logging.WARNING)
        self.cluster = None
        self._start_method = contextlib.nullcontext()
        if scheduler:
            self.client = Client(scheduler)
        else:
            self._start_method = _forked_workers()
            self._start_method.__enter__()  # left in place while the cluster lives: restarts fork too
            try:
                with warnings.catch_warnings():
                    # Without a dashboard the scheduler still serves its health routes; when the
                    # default port is taken (another cluster) it picks another one, which is fine.
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    self.cluster = LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, memory_limit=memory_limit or "auto",
                    )
                self.client = Client(self.cluster)
            except BaseException:
                if self.cluster is not None:
                    self.cluster.close()
                self._start_method.__exit__(None, None, None)
                raise
        self.n_workers = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)

    def map_chunks(self, specs, out, options, on_done):
        """Submit chunks with at most 2 per worker in flight.

        For gzip that bounds the spool: a chunk is spooled only when the spec generator is advanced,
        i.e. when a task finishes, so at most ``2 × workers`` (+1 being written) spool slots or
        files are in use.
        """
        from distributed import as_completed

        window = spool_window(self.n_workers)
        pending = as_completed()
        in_flight = 0
        for spec in specs:
            pending.add(self.client.submit(run_chunk, spec, out, options, key=f"kg-chunk-{spec.chunk}",
                                           retries=2, pure=False))
            in_flight += 1
            while in_flight >= window:
                on_done(next(pending).result())
                in_flight -= 1
        for fut in pending:
            on_done(fut.result())

    def worker_usage(self) -> list[dict]:
        """Peak memory and CPU time of every worker process (cumulative for a long-lived cluster)."""
        return [dict(worker=addr, **usage) for addr, usage in sorted(self.client.run(process_usage).items())]

    def close(self):
        try:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self._start_method.__exit__(None, None, None)


def _forked_workers():
    """A dask config context in which LocalCluster worker processes are forked from this process.

    Dask spawns workers by default: a fresh interpreter per worker that imports distributed, kire,
    msgspec and pyarrow again (0.4 CPU-s each before it can take a task) and, in its first chunk,
    pyarrow.parquet and pandas (pyarrow imports pandas the first time it builds an array: 0.25 CPU-s).
    A forked worker inherits all of that from here (the worker-side imports are done first, below)
    and is ready in about 0.15 s. On two cores this raised the 2-worker gzip speed-up on 1 GB from
    1.41 to 1.84 (docs/kg.md). The child runs only the thread that forks (Dask's), which this start
    method of Dask's is made for; Python >= 3.12 warns about forking a multi-threaded process.
    Linux only: elsewhere (macOS, Windows) fork is unsafe or absent and Dask's default stays.
    """
    import multiprocessing
    import sys

    import dask

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return contextlib.nullcontext()
    import pyarrow as pa
    import pyarrow.parquet  # noqa: F401  (what a worker's first chunk would import: inherited instead)

    pa.array([], type=pa.string())  # pyarrow's one-time imports when it first builds an array (pandas)
    return dask.config.set({"distributed.worker.multiprocessing-method": "fork"})


# ---- the whole extraction ---------------------------------------------------------------------

def spool_window(n_workers: int) -> int:
    """Chunks in flight (submitted, not finished) at a time: two per worker."""
    return 2 * n_workers


def spool_slots(n_workers: int) -> int:
    """Spool slots (gzip, local workers): one per chunk in flight plus the one being filled."""
    return spool_window(n_workers) + 1


SHM = Path("/dev/shm")


def spool_dir(out: Path, chunk_bytes: int, n_workers: int, shared_fs: bool) -> Path:
    """The folder where the gzip reader leaves decompressed chunks for the workers (created empty).

    /dev/shm (RAM, nothing written to disk) when it exists and has room for the spool slots with a
    2x margin; otherwise ``out/_chunks/spool``. With an existing scheduler
    (``shared_fs``) the workers may be on other machines: always under ``out``. The /dev/shm name
    derives from the output folder, so the next run on the same folder clears a crashed run's files.
    """
    need = 2 * spool_slots(n_workers) * (chunk_bytes + (1 << 20))
    path = out / "_chunks" / "spool"
    shutil.rmtree(path, ignore_errors=True)  # a crashed run's files, whichever folder it used
    if not shared_fs and SHM.is_dir() and os.access(SHM, os.W_OK):
        try:
            if shutil.disk_usage(SHM).free >= need:
                digest = hashlib.sha1(str(out.resolve()).encode()).hexdigest()[:16]
                path = SHM / f"kire-kg-{os.getuid()}-{digest}"
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _spooled(specs, folder: Path):
    """Turn :class:`~kire.kg.chunk.TextPieces` specs into :class:`~kire.kg.chunk.SpoolFileText`;
    closing this generator closes ``specs`` (the decompressing reader).

    Files are written atomically (kire.io.atomic_path), so a file named ``part-<k>.txt`` is always
    complete; being in the spool folder (never ``_chunks/part-*.json``), none is taken for a finished chunk.
    """
    with contextlib.closing(specs):
        for spec in specs:
            if not isinstance(spec, chunks.TextPieces):
                yield spec
                continue
            path = folder / f"{chunks.part_name(spec.chunk)}.txt"
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                fh.writelines(spec.pieces)
            yield chunks.SpoolFileText(spec.chunk, spec.offset, str(path))


def _chunk_specs(dump: Path, fmt: str, chunk_bytes: int, done: set[int], threads: int, counter: dict):
    """Yield the specs of the chunks still to run; ``counter['chunks']`` ends as the total count
    (for gzip, ``counter['compressed_tell']`` tells how far the reader is, see open_decompressed).

    .json and .json.bz2: byte ranges that the tasks read themselves; .json.gz: text decompressed
    here (see :func:`_slot_specs` for local Dask workers)."""
    if fmt == "gzip":
        with open_decompressed(dump, threads, position=counter) as fh:
            for k, offset, pieces in stream_chunks(fh, chunk_bytes, dump):
                counter["chunks"] = k + 1
                if k not in done:
                    yield chunks.TextPieces(k, offset, pieces)
        return
    if fmt == "json":
        ranges, spec = json_ranges(dump.stat().st_size, chunk_bytes), chunks.JsonRange
    else:
        from kire.kg.bz2blocks import bz2_ranges

        ranges, spec = bz2_ranges(dump, chunk_bytes), chunks.Bz2Range
    counter["chunks"] = len(ranges)
    for k, (start, end) in enumerate(ranges):
        if k not in done:
            yield spec(k, str(dump), start, end)


def _slot_specs(dump: Path, chunk_bytes: int, done: set[int], threads: int, counter: dict, slots: SpoolSlots):
    """gzip for local workers: :class:`~kire.kg.chunk.SpoolSlotText` specs, each chunk decompressed
    straight into a spool slot (kire.kg.spool) lent to chunk ``k`` until its marker is back."""
    with open_gzip_stream(dump, threads, position=counter) as fh:
        for k, offset, slot, length in fill_chunks(fh, chunk_bytes, slots, dump):
            counter["chunks"] = k + 1
            if k in done:  # finished by an earlier run: decompressed only to reach the rest
                if slot is not None:
                    slots.give_back(slot)
            elif slot is None:
                yield chunks.TextPieces(k, offset, [])
            else:
                slots.lend(k, slot)
                yield chunks.SpoolSlotText(k, offset, str(slot.path), length)


WORKERS_PER_GZIP_THREAD = 6


def gzip_threads(n_workers: int) -> int:
    """Decompression threads of the gzip reader for ``n_workers`` parsing workers.

    One isal thread decompresses about 1.5 GB/s of JSON and a worker parses about 0.2 GB/s, so one
    thread feeds about six workers (measured, docs/kg.md); rapidgzip's parallel threads take over beyond.
    """
    return max(1, -(-n_workers // WORKERS_PER_GZIP_THREAD))


def _gzip_chunks_estimate(counter: dict, compressed_bytes: int) -> int:
    """The chunk count of a gzip dump, estimated from the chunks the reader has cut so far and the
    share of the compressed file it has read (exact at the end; the reader runs ahead of the workers
    by the chunks in flight)."""
    try:
        read = counter["compressed_tell"]()
    except ValueError:  # the reader is closed: it has cut every chunk
        return counter["chunks"]
    if read >= compressed_bytes or read <= 0:
        return counter["chunks"]
    return max(counter["chunks"], round(counter["chunks"] * compressed_bytes / read))


def _json_size_estimate(dump: Path, fmt: str) -> int:
    """An upper estimate of the decompressed size (Wikidata JSON compresses about 8-15x)."""
    return dump.stat().st_size * (1 if fmt == "json" else 20)


def _merge_rejects(out: Path, n_chunks: int) -> None:
    with atomic_path(out / "rejects.jsonl") as tmp:
        with open(tmp, "wb") as dst:
            for k in range(n_chunks):
                with open(chunks.rejects_path(out, k), "rb") as src:
                    shutil.copyfileobj(src, dst)


@dataclass(frozen=True)
class ExtractionPlan:
    """What :func:`extract` will do, decided before any chunk is read (:func:`extraction_plan`)."""

    dump: Path
    out: Path
    fmt: str  # of ``source``: 'json', 'gzip' or 'bz2' (kire.kg.sources.dump_format)
    chunk_bytes: int  # bytes of JSON per chunk
    options: ExtractOptions
    done: set[int]  # chunks finished by an earlier run of the same plan: skipped
    workers: int  # Dask worker processes to start; 0: run in this process
    scheduler: str | None  # address of an existing Dask cluster
    memory_limit: str | None  # per LocalCluster worker
    source: Path  # the file chunks read: ``dump``, or its rewrite one entity per line (kire.kg.shape)
    shape: str  # the dump's shape as found (kire.kg.shape)
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE  # of entity lines; above it: no manifest

    @property
    def use_dask(self) -> bool:
        return bool(self.scheduler) or self.workers > 0

    @property
    def spooled(self) -> bool:
        """Whether decompressed text reaches the workers through spool files (gzip on Dask).

        Not through Dask's comms, which cost about 3 CPU-s per GB between sending, receiving and
        deserialising (measured, docs/kg.md): local workers map spool slots the reader decompresses
        into, remote ones read closed spool files."""
        return self.use_dask and self.fmt == "gzip"


@dataclass(frozen=True)
class ChunkRun:
    """What running the chunks leaves for :func:`finish_extraction`."""

    chunks: int  # chunks of the whole dump, finished earlier or now
    workers: int  # processes that ran them
    worker_usage: list[dict]  # process_usage() of every Dask worker ([] in-process)


def extraction_plan(
    dump: Path, out: Path, options: ExtractOptions, *, chunk_mb: float, workers: int,
    scheduler: str | None, memory_limit: str | None, max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
) -> ExtractionPlan:
    """Read the dump's format and shape, prepare ``out`` (keeping finished chunks of the same plan)
    and choose where chunks run. Raises InputError for a missing or mislabelled dump, an empty one,
    or one whose JSON shape cannot be read (kire.kg.shape); a dump in another readable shape is
    rewritten one entity per line under ``out/_chunks``."""
    fmt = dump_format(dump)
    read = functools.partial(read_decompressed, dump)
    head, whole = shapes.head_of(read)
    shape = shapes.check_shape(dump, head, whole)
    chunk_bytes = max(1, int(chunk_mb * (1 << 20)))
    done = _prepare_out(out, _plan_record(dump, fmt, chunk_bytes, options), options.tables())
    source, source_fmt = dump, fmt
    if shape != shapes.LINES:
        source, source_fmt = out / "_chunks" / "dump-lines.json", "json"
        text = head if whole else shapes.read_whole(dump, read)
        n = shapes.rewrite_as_lines(dump, text, shape, source)
        log.warning("%s is %s, not %s: read its %d entities through %s", dump, shape, shapes.EXPECTED, n, source)
    if done:
        log.info("resuming: %d chunks already finished", len(done))
    if not scheduler and (workers == 1 or _json_size_estimate(source, source_fmt) <= chunk_bytes):
        # One worker, or a single chunk: a cluster would only add its start-up and the handing of
        # text between processes (spool files for gzip), so run in this process.
        workers = 0
    return ExtractionPlan(dump, out, source_fmt, chunk_bytes, options, done, workers, scheduler, memory_limit,
                          source, shape, max_reject_share)


def _start_executor(plan: ExtractionPlan):
    """``(executor, None)``, or ``(None, future of the executor)`` for a LocalCluster still starting."""
    if plan.scheduler:  # the worker count is known only once connected
        return _Dask(plan.scheduler, plan.workers, plan.memory_limit), None
    if not plan.use_dask:
        return _InProcess(), None
    # Start the LocalCluster (about a second: processes, imports) while this thread already
    # decompresses and spools the first chunks.
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="kire-kg-cluster")
    starting = pool.submit(_Dask, None, plan.workers, plan.memory_limit)
    pool.shutdown(wait=False)
    return None, starting


def run_chunks(plan: ExtractionPlan) -> ChunkRun:
    """Run every chunk of ``plan`` not finished yet; each leaves its parts and marker under ``plan.out``.

    A chunk's failure propagates (its marker is missing; a rerun resumes). The executor, the
    decompressing reader and the spool are closed and removed whatever happens.
    """
    counter: dict = {"chunks": 0}
    executor, starting = _start_executor(plan)
    n_workers = executor.n_workers if executor else plan.workers
    spool = slots = specs = None
    progress = Progress("kg extract", unit="chunk")
    json_mb = {"done": 0.0}

    def on_done(marker: dict) -> None:
        if slots is not None:
            slots.release(marker["chunk"])
        if plan.fmt != "gzip":
            if progress.total is None:  # known once the byte ranges are made
                progress.set_total(counter["chunks"] - len(plan.done))
        elif "compressed_tell" in counter:  # gzip: chunks read so far / share of the file read
            progress.set_total(_gzip_chunks_estimate(counter, plan.source.stat().st_size) - len(plan.done))
        json_mb["done"] += marker.get("json_bytes", 0) / 1e6
        elapsed = max(time.monotonic() - progress.started, 1e-9)
        progress.update(1, note=f"{json_mb['done']:.1f} MB of JSON, {json_mb['done'] / elapsed:.1f} MB/s")

    try:
        threads = gzip_threads(n_workers)
        if plan.spooled:
            spool = spool_dir(plan.out, plan.chunk_bytes, n_workers, bool(plan.scheduler))
        if spool is not None and not plan.scheduler:
            slots = SpoolSlots(spool, spool_slots(n_workers), plan.chunk_bytes + 2 * TAIL_BLOCK)
            specs = _slot_specs(plan.source, plan.chunk_bytes, plan.done, threads, counter, slots)
        else:
            specs = _chunk_specs(plan.source, plan.fmt, plan.chunk_bytes, plan.done, threads, counter)
            if spool is not None:
                specs = _spooled(specs, spool)
        head = []
        if starting is not None:
            while not starting.done() and len(head) < spool_window(n_workers):
                spec = next(specs, None)
                if spec is None:
                    break
                head.append(spec)
            executor = starting.result()
        executor.map_chunks(itertools.chain(head, specs), str(plan.out), plan.options, on_done)
        usage = executor.worker_usage()
    finally:
        progress.close()
        if specs is not None:
            specs.close()  # closes the decompressing reader (its threads) before anything else
        if executor is None and starting is not None:
            with contextlib.suppress(Exception):
                executor = starting.result()
        if executor is not None:
            executor.close()
        if slots is not None:
            slots.close()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    return ChunkRun(counter["chunks"], executor.n_workers, usage)


def finish_extraction(plan: ExtractionPlan, run: ChunkRun, started: float, cpu_started: float) -> dict:
    """Check every chunk's marker, merge the rejects, write the DuckDB views and, last, the manifest;
    return the manifest. ``started``/``cpu_started``: perf_counter and process_time at the start.

    Raises KireError naming the chunk and its missing marker when a chunk did not finish, and
    (without writing views or manifest) when no entity was extracted or more than
    ``plan.max_reject_share`` of the entity lines were rejected. Rejected lines are reported on
    stderr (logging): their count, the offsets of the first ones and the path of rejects.jsonl.
    """
    dump, out, n = plan.dump, plan.out, run.chunks
    markers = []
    for k in range(n):
        path = chunks.marker_path(out, k)
        if not path.is_file():
            raise KireError(f"chunk {k} of {dump} did not finish (no {path})")
        markers.append(json.loads(path.read_text(encoding="utf-8")))
    _merge_rejects(out, n)
    totals = chunks.sum_counts(markers)
    check_yield(plan, totals)
    write_views(out, list(plan.options.tables()))
    wall = time.perf_counter() - started
    manifest = {
        "input": {"path": str(dump.resolve()), "format": dump_format(dump), "shape": plan.shape,
                  "bytes": dump.stat().st_size},
        "out": str(out.resolve()),
        "options": asdict(plan.options),
        "chunks": n, "chunks_reused": len(plan.done & set(range(n))), "chunk_bytes": plan.chunk_bytes,
        "workers": run.workers, "scheduler": plan.scheduler or ("local" if plan.workers else "in-process"),
        **totals,
        "wall_seconds": round(wall, 3),
        "entities_per_second": round(totals["counts"].get("entities", 0) / wall, 1),
        "json_mb_per_second": round(totals["json_bytes"] / wall / 1e6, 2),
        "resources": {
            "driver": {**process_usage(), "cpu_seconds": round(time.process_time() - cpu_started, 3)},
            "workers": run.worker_usage,
        },
        "kire_version": __version__,
    }
    write_json_atomic(out / "manifest.json", manifest)
    if plan.source != dump:
        plan.source.unlink(missing_ok=True)
    return manifest


def _reject_offsets(rejects: Path, limit: int = REJECTS_NAMED) -> list[str]:
    """Where the first ``limit`` rejected lines are: ``byte <dump offset>``, or ``chunk <k> byte
    <offset>`` when the dump offset is unknown (bz2)."""
    found = []
    with open(rejects, encoding="utf-8") as fh:
        for line in itertools.islice(fh, limit):
            rec = json.loads(line)
            found.append(f"byte {rec['dump_offset']}" if rec.get("dump_offset") is not None
                         else f"chunk {rec['chunk']} byte {rec['offset']}")
    return found


def check_yield(plan: ExtractionPlan, totals: dict) -> None:
    """Report rejected lines (a warning: count, first offsets, rejects.jsonl) and fail with KireError
    when no item or property was extracted or the rejects exceed ``plan.max_reject_share`` of the
    entity lines (entities kept, skipped by type, and rejected)."""
    counts, rejected = totals["counts"], totals["rejected"]
    entities = counts.get("entities", 0)
    skipped = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("skipped_entity_type:")}
    lines = entities + sum(skipped.values()) + rejected
    rejects = plan.out / "rejects.jsonl"
    detail = ""
    if rejected:
        detail = (f"{rejected} of {lines} lines rejected as malformed (first at "
                  f"{', '.join(_reject_offsets(rejects))}; all in {rejects})")
        log.warning("%s: %s", plan.dump, detail)
    if not entities:
        other = ", ".join(f"{v} {k}" for k, v in sorted(skipped.items()))
        raise KireError(f"{plan.dump}: no item or property extracted"
                        + (f" ({other} skipped)" if other else "") + (f"; {detail}" if detail else "")
                        + "; no manifest written")
    if rejected > plan.max_reject_share * lines:
        raise KireError(f"{plan.dump}: {detail}, more than kg.max_reject_share = {plan.max_reject_share:g} "
                        f"({rejected / lines:.1%}); no manifest written (fix the dump, or raise "
                        f"--max-reject-share)")


def extract(
    dump: str | os.PathLike, out: str | os.PathLike, options: ExtractOptions = ExtractOptions(),
    *, chunk_mb: float = DEFAULT_CHUNK_MB, workers: int = 2, scheduler: str | None = None,
    memory_limit: str | None = None, max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
) -> dict:
    """Extract ``dump`` into the tables under ``out``; return the manifest (also written last).

    ``workers`` 0 or 1 runs in this process without Dask; otherwise a LocalCluster of ``workers``
    single-threaded processes is started, unless ``scheduler`` names an existing cluster (whose
    workers must see ``dump`` and ``out`` at the same paths). Fails without a manifest when no
    entity came out or more than ``max_reject_share`` of the lines were rejected (:func:`check_yield`).
    """
    started = time.perf_counter()
    plan = extraction_plan(Path(dump), Path(out), options, chunk_mb=chunk_mb, workers=workers,
                           scheduler=scheduler, memory_limit=memory_limit, max_reject_share=max_reject_share)
    cpu_started = time.process_time()
    return finish_extraction(plan, run_chunks(plan), started, cpu_started)
