"""Reader for the DocRED format (also Re-DocRED and Linked-DocRED): a JSON list of documents.

Each document: ``title``, ``sents`` (list of token lists), ``vertexSet`` (list of entities, each a
list of mentions ``{name, pos: [start, end), sent_id, type}``) and, except in unlabeled test files,
``labels`` (``{h, t, r, evidence}``). Linked-DocRED's variant (``entities`` with ids, a type and
``entity_linking``, ``relations`` by entity id) is read too, its Wikipedia titles as gold links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from kire.docs.model import Document, Entity, Label, Mention
from kire.errors import InputError


def read_docred(path: str | Path, relations: Iterable[str] | None = None) -> list[Document]:
    """Return the documents of a DocRED-format file, validated.

    ``relations``: the known relation ids (keys of rel_info.json); a label with another id is an
    error. Raises :class:`InputError` naming the file, the document and the field.
    """
    raw = read_docred_records(path)
    known = set(relations) if relations is not None else None
    return [document_from_docred(rec, str(path), i, known) for i, rec in enumerate(raw)]


def read_docred_checked(
    path: str | Path, relations: Iterable[str] | None = None, on_error: str = "fail"
) -> tuple[list[Document], list[dict]]:
    """Return ``(documents, rejects)`` of a DocRED-format file.

    ``on_error="fail"`` raises on the first invalid document (as :func:`read_docred`);
    ``"skip"`` leaves it out and lists it in ``rejects`` (see :func:`kire.docs.validate.collect`).
    A file that is not a JSON list of documents always raises.
    """
    from kire.docs.validate import collect

    raw = read_docred_records(path)
    known = set(relations) if relations is not None else None
    return collect(
        (lambda i=i, rec=rec: document_from_docred(rec, str(path), i, known) for i, rec in enumerate(raw)),
        on_error,
    )


def read_docred_records(path: str | Path) -> list[Any]:
    """Return the raw JSON list of a DocRED-format file (InputError if missing or not a list)."""
    from kire.docs.validate import read_json_file

    if Path(path).is_dir():
        hint = " (a folder of DWIE articles? use format: dwie)" if any(Path(path).glob("*.json")) else ""
        raise InputError(str(path), None, None, f"a folder, not a DocRED-format JSON file{hint}")
    raw = read_json_file(path)
    if not isinstance(raw, list):
        hint = (" (this is a DWIE article: use format: dwie with its folder)"
                if isinstance(raw, dict) and {"content", "concepts"} <= set(raw) else "")
        raise InputError(str(path), None, None, f"expected a JSON list of documents{hint}")
    return raw


def document_from_docred(
    rec: Any, file: str, index: int, relations: set[str] | None = None
) -> Document:
    """Return one validated :class:`Document` from a DocRED record (``index`` locates errors).

    Also reads Linked-DocRED's layout (``entities: [{id, type, mentions, entity_linking}]`` and
    ``relations`` by entity id instead of ``vertexSet`` and ``labels``): an entity's gold link
    (``kb_id``) is its ``wikipedia_resource`` title, else its ``wikidata_resource`` QID; the special
    values ``#ignored#`` (numbers, times) and ``#DocRED-<id>#`` (not in Wikipedia) are no link.
    """
    where = f"document {index}"
    if not isinstance(rec, dict):
        raise InputError(file, where, None, "expected an object")
    title = rec.get("title")
    if isinstance(title, str):
        where = f"document {index} ({title!r})"
    linked = "vertexSet" not in rec and "entities" in rec
    for key in ("title", "sents", "entities" if linked else "vertexSet"):
        if key not in rec:
            raise InputError(file, where, key, "missing")
    sents = rec["sents"]
    if not isinstance(sents, list) or not all(
        isinstance(s, list) and all(isinstance(t, str) for t in s) for s in sents
    ):
        raise InputError(file, where, "sents", "expected a list of token lists")
    if linked:
        entities, ids = linked_docred_entities(rec["entities"], file, where, sents)
    else:
        entities, ids = vertex_set_entities(rec["vertexSet"], file, where, sents), None
    labels_key = "relations" if linked else "labels"
    labels = None
    if labels_key in rec:
        if not isinstance(rec[labels_key], list):
            raise InputError(file, where, labels_key, "expected a list of relation instances")
        labels = []
        for k, lab in enumerate(rec[labels_key]):
            fld = f"{labels_key}[{k}]"
            try:
                h, t, r = int(lab["h"]), int(lab["t"]), str(lab["r"])
                evidence = [int(x) for x in lab.get("evidence", [])]
            except (KeyError, TypeError, ValueError):
                raise InputError(file, where, fld, "needs h, t, r (and optional evidence)") from None
            if ids is not None:  # Linked-DocRED: h and t are entity ids
                for side, idx in (("h", h), ("t", t)):
                    if idx not in ids:
                        raise InputError(file, where, f"{fld}.{side}", f"entity id {idx} is no entities[].id")
                h, t = ids[h], ids[t]
            for side, idx in (("h", h), ("t", t)):
                if not 0 <= idx < len(entities):
                    raise InputError(file, where, f"{fld}.{side}", f"entity {idx} out of range (0..{len(entities) - 1})")
            bad = [x for x in evidence if not 0 <= x < len(sents)]
            if bad:
                raise InputError(file, where, f"{fld}.evidence", f"sentence ids {bad} out of range (0..{len(sents) - 1})")
            if h == t:
                raise InputError(file, where, fld, f"head and tail are both entity {h} (a relation needs two entities)")
            if relations is not None and r not in relations:
                raise InputError(file, where, f"{fld}.r", f"relation {r!r} is not in rel_info")
            labels.append(Label(h, t, r, evidence))
    return Document(title=str(title), sents=sents, entities=entities, labels=labels, file=file, record=index)


def mention_of(men: Any, sents: list[list[str]], file: str, where: str, fld: str, etype: str | None) -> Mention:
    """One validated mention ``{name, pos, sent_id, type}`` (``type`` from the entity when ``etype``)."""
    try:
        start, end = (int(x) for x in men["pos"])
        sent_id = int(men["sent_id"])
        name, mtype = str(men["name"]), str(men["type"]) if etype is None else etype
    except (KeyError, TypeError, ValueError):
        needs = "name, pos [start, end], sent_id" + (", type" if etype is None else "")
        raise InputError(file, where, fld, f"needs {needs}") from None
    if not 0 <= sent_id < len(sents):
        raise InputError(file, where, f"{fld}.sent_id", f"{sent_id} out of range (0..{len(sents) - 1})")
    problem = span_problem(start, end, len(sents[sent_id]), f"sentence {sent_id}", "tokens")
    if problem:
        raise InputError(file, where, f"{fld}.pos", problem)
    return Mention(sent_id, start, end, name, mtype)


def vertex_set_entities(vertex_set: Any, file: str, where: str, sents: list[list[str]]) -> list[Entity]:
    """The entities of a DocRED ``vertexSet`` (lists of mentions), validated."""
    if not isinstance(vertex_set, list):
        raise InputError(file, where, "vertexSet", "expected a list of entities")
    if not vertex_set:
        raise InputError(file, where, "vertexSet", "empty: the document has no entities")
    entities = []
    for e, vertex in enumerate(vertex_set):
        if not isinstance(vertex, list) or not vertex:
            raise InputError(file, where, f"vertexSet[{e}]", "empty or not a list of mentions")
        mentions = [mention_of(men, sents, file, where, f"vertexSet[{e}][{m}]", None) for m, men in enumerate(vertex)]
        entities.append(Entity(mentions=mentions, type=majority_type(mentions)))
    return entities


def linked_docred_entities(items: Any, file: str, where: str,
                           sents: list[list[str]]) -> tuple[list[Entity], dict[int, int]]:
    """The entities of Linked-DocRED's ``entities`` list and ``{entity id: index}``, validated."""
    if not isinstance(items, list) or not items:
        raise InputError(file, where, "entities", "expected a non-empty list of entities")
    entities, ids = [], {}
    for e, item in enumerate(items):
        fld = f"entities[{e}]"
        if not isinstance(item, dict) or not isinstance(item.get("mentions"), list) or not item["mentions"]:
            raise InputError(file, where, f"{fld}.mentions", "expected a non-empty list of mentions")
        try:
            ent_id, etype = int(item["id"]), str(item["type"])
        except (KeyError, TypeError, ValueError):
            raise InputError(file, where, fld, "needs an integer id and a type") from None
        if ent_id in ids:
            raise InputError(file, where, f"{fld}.id", f"id {ent_id} is also entities[{ids[ent_id]}]'s")
        ids[ent_id] = e
        mentions = [mention_of(men, sents, file, where, f"{fld}.mentions[{m}]", etype)
                    for m, men in enumerate(item["mentions"])]
        entities.append(Entity(mentions=mentions, type=etype, kb_id=linked_docred_link(item.get("entity_linking"))))
    return entities, ids


def linked_docred_link(annotation: Any) -> str | None:
    """An entity's gold link from Linked-DocRED's ``entity_linking``: the Wikipedia title, else the
    QID; None for the special values (``#ignored#``, ``#DocRED-<id>#``) or no annotation."""
    if not isinstance(annotation, dict):
        return None
    for key in ("wikipedia_resource", "wikidata_resource"):
        value = annotation.get(key)
        if isinstance(value, str) and value.strip() and not value.startswith("#"):
            return value
    return None


def span_problem(start: int, end: int, length: int, container: str, unit: str) -> str | None:
    """What is wrong with the span ``[start, end)`` inside ``container`` of ``length`` ``unit``
    (empty, reversed, or outside it), or None when it is a proper span."""
    if start == end:
        return f"empty span [{start}, {end}) (start equals end)"
    if start > end:
        return f"reversed span [{start}, {end}) (start after end)"
    if start < 0 or end > length:
        return f"[{start}, {end}) outside {container} of {length} {unit}"
    return None


def majority_type(mentions: list[Mention]) -> str:
    """The most frequent mention type (first seen wins ties)."""
    counts: dict[str, int] = {}
    for men in mentions:
        counts[men.type] = counts.get(men.type, 0) + 1
    return max(counts, key=counts.__getitem__)


def document_to_docred(doc: Document) -> dict[str, Any]:
    """Return ``doc`` as a DocRED-format record (inverse of :func:`document_from_docred`)."""
    rec: dict[str, Any] = {
        "title": doc.title,
        "sents": doc.sents,
        "vertexSet": [
            [{"name": m.name, "pos": [m.start, m.end], "sent_id": m.sent_id, "type": m.type}
             for m in ent.mentions]
            for ent in doc.entities
        ],
    }
    if doc.labels is not None:
        rec["labels"] = [
            {"h": lab.head, "t": lab.tail, "r": lab.relation, "evidence": lab.evidence}
            for lab in doc.labels
        ]
    return rec
