"""Checks of the language codes and wiki site ids a user gives `kire kg extract` (CLI and config).

A code that matches nothing in the dump is not an error the dump can reveal (every label would come
out NULL), so the shape is checked up front: Wikidata's language codes are lowercase BCP-47-like
tags (``en``, ``de``, ``zh-hans``, ``be-tarask``, ``roa-tara``), its site ids are lowercase
database names (``enwiki``, ``zh_min_nanwiki``, ``commonswiki``, ``dewikiquote``).
"""

from __future__ import annotations

import re

#: a primary subtag of 2-3 letters, then hyphen-separated subtags of 1-8 letters or digits
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
#: a wiki's database name: lowercase letters, digits and underscores, starting with a letter
SITE_ID = re.compile(r"[a-z][a-z0-9_]*")


def _codes(text: str, pattern: re.Pattern, what: str, examples: str) -> tuple[str, ...]:
    codes = tuple(x.strip() for x in text.split(",") if x.strip())
    if not any(codes):
        raise ValueError(f"give at least one {what}, e.g. {examples}")
    for code in codes:
        if not pattern.fullmatch(code):
            hint = " (separate codes with commas, not spaces)" if " " in code else ""
            raise ValueError(f"invalid {what} {code!r}{hint}: expected a comma-separated list like "
                             f"{examples}")
    return codes


def language_codes(text: str) -> tuple[str, ...]:
    """``"en,de"`` -> ``("en", "de")``; ValueError naming the first bad code (e.g. ``"en de"``)."""
    return _codes(text, LANGUAGE_CODE, "language code", "en,de,zh-hans,be-tarask")


def site_codes(text: str) -> tuple[str, ...]:
    """``"enwiki,dewiki"`` -> ``("enwiki", "dewiki")``; ``"none"`` -> ``()``; ValueError naming the
    first bad site id."""
    if text.strip() == "none":
        return ()
    return _codes(text, SITE_ID, "wiki site id", "enwiki,dewiki")
