"""The shape of a dump file, seen before extraction starts, and the rewrite of other JSON shapes.

`kire kg extract` reads the official Wikidata dump shape, ``LINES``: ``[`` on the first line, then
one entity object per line, each followed by ``,``, then ``]`` (a file of entity lines without the
brackets reads the same way). Users also arrive with one JSON value in another layout:

- ``ARRAY_ONE_LINE``: the whole array on one line (``[{...},{...}]``, as API tools write it);
- ``ARRAY_PRETTY``: an array pretty-printed over many lines (``json.dump(..., indent=2)``);
- ``OBJECT_PRETTY``: one entity object pretty-printed over many lines;
- ``API_ENTITIES``: a ``wbgetentities`` response, ``{"entities": {"Q64": {...}, ...}}``.

Those are rewritten into ``LINES`` (:func:`rewrite_as_lines`) when their JSON fits in
:data:`REWRITE_LIMIT` bytes; a larger one, a file that is empty or holds only ``[`` and ``]``, or
one that is not JSON at all fails with an InputError naming the shape seen and the shape expected.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from kire.errors import InputError
from kire.io import atomic_path

LINES = "one entity per line"
ARRAY_ONE_LINE = "a JSON array on one line"
ARRAY_PRETTY = "a pretty-printed JSON array (entities spread over many lines)"
OBJECT_PRETTY = "a pretty-printed JSON object"
API_ENTITIES = 'an API response {"entities": {...}}'
EMPTY = "an empty file"
EMPTY_ARRAY = "an empty JSON array ([ and ] only)"

EXPECTED = ("the Wikidata dump shape: '[' on the first line, then one entity object per line "
            "followed by ',', then ']'")
#: bytes of decompressed text read to tell the shape
HEAD_BYTES = 1 << 20
#: the largest JSON (bytes, decompressed) rewritten into lines in memory; larger ones are refused
REWRITE_LIMIT = 1 << 30


class _ApiResponse(msgspec.Struct):
    """``wbgetentities`` output: the entities by id (other keys such as ``success`` are ignored)."""

    entities: dict[str, msgspec.Raw]


def _lines(head: bytes) -> list[bytes]:
    """Non-blank lines of ``head``, stripped (the last one may be cut by the head's end)."""
    return [x.strip() for x in head.split(b"\n") if x.strip()]


def dump_shape(head: bytes, whole: bool) -> str:
    """The shape of a dump whose decompressed text starts with ``head`` (``whole``: ``head`` is all
    of it). Returns one of the shape names of this module; InputError-free (see :func:`check_shape`)."""
    lines = _lines(head)
    if not lines:
        return EMPTY if whole else ARRAY_PRETTY  # a megabyte of blanks is no dump either
    first = lines[0]
    if first == b"[":
        rest = [x for x in lines[1:] if x != b"]"]
        if not rest:
            return EMPTY_ARRAY if whole or len(lines) > 1 else LINES
        entity = rest[0].rstrip(b",")
        return ARRAY_PRETTY if entity == b"{" or not entity.startswith(b"{") else LINES
    if first.startswith(b"["):
        return EMPTY_ARRAY if first.replace(b" ", b"") in (b"[]", b"[],") else ARRAY_ONE_LINE
    if first == b"{":
        return OBJECT_PRETTY
    if first.startswith(b"{"):
        compact = first[:64].replace(b" ", b"")
        return API_ENTITIES if compact.startswith(b'{"entities"') else LINES
    return "not JSON (the first line starts with " + repr(first[:40].decode("utf-8", "replace")) + ")"


def check_shape(path: Path, head: bytes, whole: bool) -> str:
    """The shape of ``path`` (see :func:`dump_shape`); InputError for a shape that cannot be read:
    empty, an empty array, or not JSON."""
    shape = dump_shape(head, whole)
    if shape in (EMPTY, EMPTY_ARRAY) or shape.startswith("not JSON"):
        raise InputError(str(path), None, None, f"the dump is {shape}, which holds no entity; "
                                                f"expected {EXPECTED}")
    return shape


def rewrite_as_lines(path: Path, text: bytes, shape: str, target: Path) -> int:
    """Write the entities of ``text`` (the whole decompressed JSON of ``path``, of shape ``shape``)
    to ``target`` in the :data:`LINES` shape; return the number of entities.

    InputError when the JSON is malformed (msgspec's message gives the byte offset), when an
    array element or a value of ``entities`` is not an object, or when there is no entity."""
    try:
        if shape == API_ENTITIES:
            entities = list(msgspec.json.decode(text, type=_ApiResponse).entities.values())
        elif shape == OBJECT_PRETTY:
            entities = [msgspec.json.decode(text, type=msgspec.Raw)]
        else:
            entities = msgspec.json.decode(text, type=list[msgspec.Raw])
    except (msgspec.DecodeError, msgspec.ValidationError) as err:
        raise InputError(str(path), None, None, f"the dump looks like {shape} but is not valid JSON "
                                                f"of that shape ({err}); expected {EXPECTED}") from None
    if not entities:
        raise InputError(str(path), None, None, f"the dump is {shape} without any entity; expected {EXPECTED}")
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(b"[\n")
        for k, raw in enumerate(entities):
            line = msgspec.json.format(raw, indent=-1)
            if not line.startswith(b"{"):
                raise InputError(str(path), f"entity {k}", None,
                                 f"expected a JSON object, got {line[:40].decode('utf-8', 'replace')!r}")
            fh.write(line + (b",\n" if k + 1 < len(entities) else b"\n"))
        fh.write(b"]\n")
    return len(entities)


def read_whole(path: Path, read) -> bytes:
    """The whole decompressed text of ``path`` (``read(size)`` gives up to ``size`` bytes of it from
    its start); InputError naming the limit when it exceeds :data:`REWRITE_LIMIT` bytes."""
    text = read(REWRITE_LIMIT + 1)
    if len(text) > REWRITE_LIMIT:
        raise InputError(str(path), None, None,
                         f"the dump is not in {EXPECTED} and is over {REWRITE_LIMIT >> 20} MB, too large to "
                         f"rewrite in memory; convert it first, e.g. `jq -c '.[]'` gives one entity per line")
    return text


def head_of(read) -> tuple[bytes, bool]:
    """``(first HEAD_BYTES of the decompressed text, whether that is all of it)``; ``read`` as in
    :func:`read_whole`."""
    head = read(HEAD_BYTES + 1)
    return head[:HEAD_BYTES], len(head) <= HEAD_BYTES
