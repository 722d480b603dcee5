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
    """The parsed content of a JSON file; InputError naming the file if it is missing or invalid."""
    import orjson

    try:
        return orjson.loads(Path(path).read_bytes())
    except (FileNotFoundError, IsADirectoryError):
        raise InputError(str(path), None, None, "file not found") from None
    except orjson.JSONDecodeError as err:
        raise InputError(str(path), None, None, f"not valid JSON ({err})") from None
