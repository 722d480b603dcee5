"""Fail-or-skip handling of invalid records, and the rejects report it produces."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from kire.errors import InputError, KireError

T = TypeVar("T")

ON_ERROR = ("fail", "skip")


def collect(builders: Iterable[Callable[[], T]], on_error: str) -> tuple[list[T], list[dict]]:
    """Call every builder; return ``(built, rejects)``.

    ``on_error="fail"`` lets the first :class:`InputError` propagate; ``"skip"`` records it as a
    reject ``{file, record, field, problem}`` and goes on. Other exceptions always propagate.
    """
    if on_error not in ON_ERROR:
        raise KireError(f"on_error must be one of {ON_ERROR}, not {on_error!r}")
    built: list[T] = []
    rejects: list[dict] = []
    for build in builders:
        try:
            built.append(build())
        except InputError as err:
            if on_error == "fail":
                raise
            rejects.append(reject_record(err))
    return built, rejects


def reject_record(err: InputError) -> dict:
    """The rejects-report row of one invalid record."""
    return {"file": err.file, "record": err.record, "field": err.field, "problem": err.problem}


def read_json_file(path: str | Path) -> Any:
    """The parsed content of a JSON file; InputError naming the file if it is missing or invalid.

    Bytes that are not UTF-8 are reported with their byte offset and line (JSON files are UTF-8,
    RFC 8259 §8.1); a leading UTF-8 byte order mark is skipped.
    """
    import orjson

    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), None, None, "a folder, not a JSON file") from None
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(str(path), None, None, "file not found") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise InputError(str(path), None, None, not_utf8_problem(data) or f"not valid JSON ({err})") from None


def not_utf8_problem(data: bytes) -> str | None:
    """Where ``data`` stops being UTF-8 (byte offset, line, the bytes), or None if it is UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start:err.end]
        return (f"not UTF-8 at byte offset {err.start} (line {line}): byte(s) {bad!r} ({err.reason}); "
                "re-save the file as UTF-8")
    return None
