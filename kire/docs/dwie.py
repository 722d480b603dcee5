"""Reader for DWIE's native format: a folder of per-document JSON files.

Each file: ``id``, ``content`` (the article text), ``tags`` (``"train"`` or ``"test"`` among them),
``mentions`` (``{begin, end, text, concept}`` with character offsets, ``end`` exclusive),
``concepts`` (``{concept, text, link, tags}``; ``link`` a Wikipedia title, tags like
``"type::person"``) and ``relations`` (``{s, p, o}`` between concept ids).

The text is tokenized with spaCy's rule-based English tokenizer (``spacy.blank("en")``, offline)
and split into sentences by its ``sentencizer`` and at every line break (the headline, the first
line, is its own sentence, as in DWIE's DocRED-format conversions). Tokens are additionally cut at every mention
boundary and sentence breaks inside a mention are removed, so that every mention is an exact
token span inside one sentence. Concepts without any mention (DWIE has some, e.g. a country
implied by "Iranian") cannot be entities of the RE task: they and their relations are dropped and
counted per document in :class:`DwieStats`, as are relations listed twice in one document (kept
once).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kire.docs.docred import span_problem
from kire.docs.model import Document, Entity, Label, Mention
from kire.errors import InputError

# DWIE's entity tags mapped to DocRED's coarse type set, first match wins (a concept carries
# several tags, e.g. type::gpe and type::location).
COARSE_TYPES: tuple[tuple[str, str], ...] = (
    ("type::person", "PER"),
    ("type::organization", "ORG"),
    ("type::location", "LOC"),
    ("type::gpe", "LOC"),
    ("type::time", "TIME"),
    ("type::money", "NUM"),
    ("type::value", "NUM"),
)
DEFAULT_TYPE = "MISC"


@dataclass
class DwieStats:
    """What the reader dropped on purpose, for the prepare report."""

    concepts_without_mentions: int = 0
    relations_without_mentions: int = 0
    other_split: int = 0
    duplicate_relations: int = 0


def coarse_type(tags: Iterable[str]) -> str:
    """DocRED-style type (PER, ORG, LOC, TIME, NUM, MISC) of a DWIE concept from its tags."""
    tags = set(tags)
    for tag, coarse in COARSE_TYPES:
        if tag in tags:
            return coarse
    return DEFAULT_TYPE


def dwie_files(folder: str | Path) -> list[Path]:
    """The ``*.json`` files of a DWIE folder, sorted by name (InputError if none)."""
    folder = Path(folder)
    if folder.is_file():
        from kire.docs.validate import read_json_file

        raw = read_json_file(folder)
        hint = (" (a JSON list of documents, the DocRED format: use format: docred)"
                if isinstance(raw, list) else " (give the folder that holds the article files)")
        raise InputError(str(folder), None, None, f"a file, not a folder of DWIE JSON files{hint}")
    if not folder.is_dir():
        raise InputError(str(folder), None, None, "not a folder of DWIE JSON files")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise InputError(str(folder), None, None, "no *.json files")
    return files


def load_dwie_record(path: Path) -> dict[str, Any]:
    """The parsed JSON object of one DWIE file (InputError if unreadable)."""
    from kire.docs.validate import read_json_file

    rec = read_json_file(path)
    if not isinstance(rec, dict):
        raise InputError(str(path), None, None, "expected a JSON object")
    return rec


class DwieTokenizer:
    """spaCy's blank English tokenizer plus sentencizer, loaded once."""

    def __init__(self) -> None:
        import spacy

        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")

    def tokens(self, text: str, cuts: set[int]) -> tuple[list[tuple[int, int]], set[int]]:
        """Return ``(spans, sentence_starts)``: non-space token char spans ``[start, end)``, cut at
        every offset in ``cuts``, and the indices of the tokens that start a sentence."""
        doc = self.nlp(text)
        spans: list[tuple[int, int]] = []
        starts: set[int] = set()
        pending_start = True
        for tok in doc:
            if tok.is_sent_start:
                pending_start = True
            if tok.is_space:
                # a line break ends a sentence: DWIE's headline is its own line without a full stop
                pending_start = pending_start or "\n" in tok.text
                continue
            begin, end = tok.idx, tok.idx + len(tok.text)
            inner = sorted(c for c in cuts if begin < c < end)
            for a, b in zip([begin, *inner], [*inner, end]):
                piece = text[a:b]
                stripped = piece.strip()
                if not stripped:
                    continue
                lead = len(piece) - len(piece.lstrip())
                if pending_start:
                    starts.add(len(spans))
                    pending_start = False
                spans.append((a + lead, a + lead + len(stripped)))
        return spans, starts


def document_from_dwie(
    rec: dict[str, Any], file: str, tokenizer: DwieTokenizer,
    relations: set[str] | None = None, stats: DwieStats | None = None,
) -> Document:
    """Return one validated :class:`Document` from a DWIE record."""
    stats = stats if stats is not None else DwieStats()
    doc_id = rec.get("id")
    where = f"document {doc_id!r}" if isinstance(doc_id, str) else "document"
    for key in ("id", "content", "mentions", "concepts", "relations"):
        if key not in rec:
            hint = " (fetch article texts with DWIE's scripts/dwie_download.py)" if key == "content" else ""
            raise InputError(file, where, key, "missing" + hint)
    content = rec["content"]
    if not isinstance(content, str) or not content.strip():
        raise InputError(file, where, "content", "expected the article text")
    concepts = rec["concepts"]
    if not isinstance(concepts, list):
        raise InputError(file, where, "concepts", "expected a list")
    concept_by_id: dict[int, dict] = {}
    for c, concept in enumerate(concepts):
        try:
            concept_by_id[int(concept["concept"])] = concept
        except (KeyError, TypeError, ValueError):
            raise InputError(file, where, f"concepts[{c}]", "needs an integer 'concept' id") from None

    spans_by_concept: dict[int, list[tuple[int, int, str]]] = {}
    if not isinstance(rec["mentions"], list):
        raise InputError(file, where, "mentions", "expected a list")
    for m, men in enumerate(rec["mentions"]):
        fld = f"mentions[{m}]"
        try:
            begin, end, concept, text = int(men["begin"]), int(men["end"]), int(men["concept"]), str(men["text"])
        except (KeyError, TypeError, ValueError):
            raise InputError(file, where, fld, "needs begin, end, text, concept") from None
        problem = span_problem(begin, end, len(content), "the content", "characters")
        if problem:
            raise InputError(file, where, fld, problem)
        if content[begin:end] != text:
            raise InputError(file, where, f"{fld}.text", f"{text!r} differs from content[{begin}:{end}] = {content[begin:end]!r}")
        if concept not in concept_by_id:
            raise InputError(file, where, f"{fld}.concept", f"concept {concept} is not in concepts")
        spans_by_concept.setdefault(concept, []).append((begin, end, text))

    cuts = {x for spans in spans_by_concept.values() for b, e, _ in spans for x in (b, e)}
    tok_spans, sent_starts = tokenizer.tokens(content, cuts)
    tok_begins = [b for b, _ in tok_spans]
    tok_ends = [e for _, e in tok_spans]

    def token_range(begin: int, end: int) -> tuple[int, int]:
        first = bisect.bisect_left(tok_begins, begin)
        last = bisect.bisect_right(tok_ends, end)  # tokens [first, last) lie inside the span
        return first, last

    mention_tokens: dict[int, list[tuple[int, int, str]]] = {}
    for concept, spans in spans_by_concept.items():
        for begin, end, text in spans:
            first, last = token_range(begin, end)
            if first >= last:
                raise InputError(file, where, "mentions", f"mention {text!r} at {begin} covers no token")
            mention_tokens.setdefault(concept, []).append((first, last, text))
            # a sentence break inside a mention would split it: drop that break
            sent_starts.difference_update(range(first + 1, last))
    starts = sorted(sent_starts | {0})
    sents = [
        [content[b:e] for b, e in tok_spans[s:t]]
        for s, t in zip(starts, [*starts[1:], len(tok_spans)])
    ]

    kept = [c for c in sorted(concept_by_id) if c in mention_tokens]
    index_of = {c: i for i, c in enumerate(kept)}
    entities = []
    for c in kept:
        concept = concept_by_id[c]
        ctype = coarse_type(concept.get("tags") or ())
        mentions = []
        for first, last, text in sorted(mention_tokens[c]):
            sent_id = bisect.bisect_right(starts, first) - 1
            mentions.append(Mention(sent_id, first - starts[sent_id], last - starts[sent_id], text, ctype))
        link = concept.get("link")
        entities.append(Entity(mentions=mentions, type=ctype, kb_id=str(link) if link else None))
    if not entities:
        raise InputError(file, where, "mentions", "empty: the document has no entity mentions")

    if not isinstance(rec["relations"], list):
        raise InputError(file, where, "relations", "expected a list")
    labels, without_mentions, duplicates, seen = [], 0, 0, set()
    for k, rel in enumerate(rec["relations"]):
        fld = f"relations[{k}]"
        try:
            s, p, o = int(rel["s"]), str(rel["p"]), int(rel["o"])
        except (KeyError, TypeError, ValueError):
            raise InputError(file, where, fld, "needs s, p, o") from None
        for side, c in (("s", s), ("o", o)):
            if c not in concept_by_id:
                raise InputError(file, where, f"{fld}.{side}", f"concept {c} is not in concepts")
        if relations is not None and p not in relations:
            raise InputError(file, where, f"{fld}.p", f"relation {p!r} is not in rel_info")
        if s == o:
            raise InputError(file, where, fld, f"s and o are both concept {s} (a relation needs two concepts)")
        if s not in index_of or o not in index_of:
            without_mentions += 1
            continue
        if (s, p, o) in seen:  # listed twice: one relation instance
            duplicates += 1
            continue
        seen.add((s, p, o))
        labels.append(Label(index_of[s], index_of[o], p, []))
    # counted only once the document is valid, so a rejected document adds nothing
    stats.concepts_without_mentions += len(concept_by_id) - len(kept)
    stats.relations_without_mentions += without_mentions
    stats.duplicate_relations += duplicates
    return Document(title=str(doc_id), sents=sents, entities=entities, labels=labels, file=file)


def read_dwie_checked(
    folder: str | Path, split_tag: str, relations: Iterable[str] | None = None,
    on_error: str = "fail", stats: DwieStats | None = None,
) -> tuple[list[Document], list[dict]]:
    """Return ``(documents, rejects)`` of the DWIE files in ``folder`` tagged ``split_tag``.

    Documents tagged with the other split are counted in ``stats.other_split``, not read; documents
    are ordered by file name. ``on_error`` as in :func:`kire.docs.validate.collect`.
    """
    from kire.docs.validate import collect

    stats = stats if stats is not None else DwieStats()
    known = set(relations) if relations is not None else None
    tokenizer = DwieTokenizer()

    def builders():
        for path in dwie_files(folder):
            def build(path=path):
                rec = load_dwie_record(path)
                tags = rec.get("tags")
                if not isinstance(tags, list) or not {"train", "test"} & set(map(str, tags)):
                    raise InputError(str(path), f"document {rec.get('id')!r}", "tags", "needs 'train' or 'test'")
                return rec
            yield path, build

    docs: list[Document] = []
    rejects: list[dict] = []
    for path, load in builders():
        loaded, bad = collect([load], on_error)
        rejects.extend(bad)
        if not loaded:
            continue
        rec = loaded[0]
        if split_tag not in rec["tags"]:
            stats.other_split += 1
            continue
        built, bad = collect([lambda: document_from_dwie(rec, str(path), tokenizer, known, stats)], on_error)
        docs.extend(built)
        rejects.extend(bad)
    return docs, rejects
