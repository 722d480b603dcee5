"""Atomic outputs and safe paths: a job that dies never leaves a half-written file that looks done."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from kire.errors import KireError


def _umask() -> int:
    """The process's umask (reading it requires setting it; set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only if the block succeeds.

    The temporary file lives in the same directory so that the final ``os.replace`` is atomic.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; give the output the permissions a plain open() would.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary directory beside ``target``; it replaces ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        # mkdtemp creates 0700 folders; give the output the permissions a plain mkdir would.
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_json_atomic(target: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    """Write ``obj`` as JSON to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=indent, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
    return Path(target)


def write_parquet_atomic(table, target: str | os.PathLike, compression: str = "zstd", **options) -> Path:
    """Write a pyarrow Table to ``target`` atomically and return the path; ``options`` go to
    ``pyarrow.parquet.write_table`` (e.g. ``use_dictionary``)."""
    import pyarrow.parquet as pq

    with atomic_path(target) as tmp:
        pq.write_table(table, tmp, compression=compression, **options)
    return Path(target)


def path_inside(path: str | os.PathLike, root: str | os.PathLike) -> Path:
    """Return ``path`` resolved, or raise KireError if it escapes ``root`` (e.g. via ``..``)."""
    resolved, base = Path(path).resolve(), Path(root).resolve()
    if resolved != base and base not in resolved.parents:
        raise KireError(f"path {path} is outside the configured folder {root}")
    return resolved
