"""The records of a submission as the official DocRED scorer reads them, and the mismatched ones.

thunlp/DocRED's ``code/evaluation.py`` looks a record up by ``(title, r, h_idx, t_idx)`` with
Python equality and never checks it further, so a record made against another release of the
dataset, or by another tool, is simply a wrong prediction. kire reads every record the same way and
counts each kind of mismatch, so that a user learns why a score is low:

``duplicate``         a repeat of an earlier record's (title, h_idx, t_idx, r): dropped, the first
                      copy kept (as the scorers of ATLOP and Re-DocRED do; thunlp's script counts
                      every copy, so that its recall can exceed 1)
``unknown_title``     the title is no document of the truth: a wrong prediction, counted in P's
                      denominator; the official scorer skips it *before* counting its evidence
``bad_index``         the title is known but ``h_idx`` or ``t_idx`` is no entity index of that
                      document (out of range, or not a number): a wrong prediction
``unknown_relation``  ``r`` is not a relation of the dataset (only when the relation ids are
                      known): a wrong prediction

The three last kinds are counted over distinct records and may overlap (an unknown title with an
unknown relation counts in both). A missing ``evidence`` key or ``null`` reads as no evidence, an
empty list as none. What the official scorer cannot read at all (a record that is not an object,
a missing title/h_idx/t_idx/r, a list or object in one of them, evidence that is not a list of
numbers) stops it with a traceback; kire stops with an InputError naming file, record and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from kire.errors import InputError

RECORD_KEYS = ("title", "h_idx", "t_idx", "r")
MISMATCH_KINDS = ("duplicate", "unknown_title", "bad_index", "unknown_relation")
_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Prediction:
    """One distinct record: its key values as given in the file (no conversion, so ``"3"`` is not
    entity 3, while ``3.0`` is, as in the official scorer), its evidence sentence ids, and whether
    its title is a document of the truth (``known``) and its indices entities of it (``placed``)."""

    title: Any
    h: Any
    t: Any
    r: Any
    evidence: frozenset
    known: bool
    placed: bool

    @property
    def key(self) -> tuple:
        """The gold key ``(title, h_idx, t_idx, r)`` this record is looked up by."""
        return self.title, self.h, self.t, self.r


@dataclass
class Screened:
    """A submission read for scoring: distinct records in file order and the count of each kind.

    ``counts``: ``{"n_records": records in the file, "n_distinct": distinct keys, "duplicate",
    "unknown_title", "bad_index": int, "unknown_relation": int | None}`` (None when the relation
    ids were not given), ``"unplaced"``: distinct records that no pair breakdown can place
    (unknown title or bad index). ``first``: ``{kind: index of its first record in the file}``, so
    that a warning can name one.
    """

    predictions: list[Prediction]
    counts: dict[str, int | None]
    first: dict[str, int]  # kind -> index of the first record of that kind in the file


def _scalar_field(rec: dict, key: str, file: str, i: int) -> Any:
    if key not in rec:
        raise InputError(file, f"record {i}", key, "missing (needs title, h_idx, t_idx, r)")
    value = rec[key]
    if not isinstance(value, _SCALARS):
        raise InputError(file, f"record {i}", key, f"expected a string or a number, got {type(value).__name__}")
    return value


def _evidence(rec: dict, file: str, i: int) -> frozenset:
    value = rec.get("evidence")
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(x, _SCALARS) for x in value):
        raise InputError(file, f"record {i}", "evidence", "expected a list of sentence ids")
    return frozenset(value)


def entity_index(value: Any, n_entities: int) -> bool:
    """Whether ``value`` equals an entity index ``0 <= i < n_entities`` (Python equality, so ``2.0``
    and ``True`` do and ``"2"`` does not), i.e. whether the official scorer could match it."""
    return isinstance(value, (int, float)) and value in range(n_entities)


def _known_relation(r: Any, relations: set[str]) -> bool:
    """Whether ``r`` is one of the dataset's relation ids (a string: the scorer compares strings)."""
    return isinstance(r, str) and r in relations


def screen_submission(n_entities: dict[str, int], records: Iterable[Any], relations: Iterable[str] | None = None,
                      file: str = "result") -> Screened:
    """Read ``records`` against the truth's documents (``{title: number of entities}``).

    ``relations``: the dataset's relation ids, or None to leave ``unknown_relation`` uncounted.
    Raises InputError (file, record index, field) for a record the official scorer cannot read.
    """
    known_relations = None if relations is None else set(relations)
    seen: set[tuple] = set()
    predictions: list[Prediction] = []
    first: dict[str, int] = {}
    n_records = 0
    for i, rec in enumerate(records):
        n_records += 1
        if not isinstance(rec, dict):
            raise InputError(file, f"record {i}", None, f"expected an object, got {type(rec).__name__}")
        title, h, t, r = (_scalar_field(rec, key, file, i) for key in RECORD_KEYS)
        evidence = _evidence(rec, file, i)
        key = (title, h, t, r)
        if key in seen:
            first.setdefault("duplicate", i)
            continue
        seen.add(key)
        known = isinstance(title, str) and title in n_entities
        placed = known and entity_index(h, n_entities[title]) and entity_index(t, n_entities[title])
        predictions.append(Prediction(title, h, t, r, evidence, known, placed))
        if not known:
            first.setdefault("unknown_title", i)
        elif not placed:
            first.setdefault("bad_index", i)
        if known_relations is not None and not _known_relation(r, known_relations):
            first.setdefault("unknown_relation", i)
    counts: dict[str, int | None] = {
        "n_records": n_records, "n_distinct": len(predictions),
        "duplicate": n_records - len(predictions),
        "unknown_title": sum(not p.known for p in predictions),
        "bad_index": sum(p.known and not p.placed for p in predictions),
        "unknown_relation": None if known_relations is None else
        sum(not _known_relation(p.r, known_relations) for p in predictions),
        "unplaced": sum(not p.placed for p in predictions),
    }
    return Screened(predictions, counts, first)


def mismatch_warning(counts: dict[str, int | None], file: str = "result",
                     first: dict[str, int] | None = None) -> str | None:
    """One line naming each kind of mismatched record, its count and (``first``: kind -> record
    index, :attr:`Screened.first`) its first record in the file; None when there is none."""
    words = {
        "duplicate": "repeat an earlier record (counted once)",
        "unknown_title": "have a title that is not in the truth (scored as wrong)",
        "bad_index": "have an h_idx/t_idx that is no entity of their document (scored as wrong)",
        "unknown_relation": "have a relation that is not in rel_info (scored as wrong)",
    }
    first = first or {}
    parts = [f"{counts[kind]} {words[kind]}" + (f", first record {first[kind]}" if kind in first else "")
             for kind in MISMATCH_KINDS if counts.get(kind)]
    if not parts:
        return None
    return f"{file}: of {counts['n_records']} records, " + "; ".join(parts)
