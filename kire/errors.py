"""Errors that the `kire` command reports as one clear line instead of a stack trace."""

from __future__ import annotations


class KireError(Exception):
    """A problem the user can fix: bad input, missing file, wrong configuration."""


class InputError(KireError):
    """Bad input data, located by file, record and field.

    >>> str(InputError("train.json", "doc 'Berlin'", "vertexSet[3]", "empty mention list"))
    "train.json: doc 'Berlin': field vertexSet[3]: empty mention list"
    """

    def __init__(self, file: str, record: str | None, field: str | None, problem: str):
        self.file, self.record, self.field, self.problem = str(file), record, field, problem
        parts = [self.file]
        if record is not None:
            parts.append(record)
        if field is not None:
            parts.append(f"field {field}")
        parts.append(problem)
        super().__init__(": ".join(parts))
