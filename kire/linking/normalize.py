"""Surface-form normalisation shared by document mentions and KG aliases.

Both sides go through the same DuckDB macro, ``kire_norm(s)``, so a mention and an alias meet iff
their normalised forms are equal:

1. Unicode NFC, then accents stripped (``Émile`` -> ``Emile``), then lower case;
2. every run of Unicode punctuation or symbols (categories P*, S*) becomes one space
   (``U.S.`` -> ``u s``, ``Jean-Paul`` -> ``jean paul``);
3. whitespace collapsed and trimmed;
4. one leading article removed when something follows it (``The Beatles`` -> ``beatles``).
"""

from __future__ import annotations

import re

from kire.errors import KireError

DEFAULT_ARTICLES = ("the", "a", "an")


def norm_macro_sql(articles: tuple[str, ...] | list[str] = DEFAULT_ARTICLES) -> str:
    """``CREATE OR REPLACE MACRO kire_norm(s)`` for the given leading articles.

    Articles are plain lower-case words (checked: config values never become regex syntax).
    """
    words = [str(a) for a in articles]
    for word in words:
        if not re.fullmatch(r"[^\W\d_]+", word) or word != word.lower():
            raise KireError(f"linking article {word!r} must be one lower-case word of letters")
    base = (
        r"trim(regexp_replace(regexp_replace(lower(strip_accents(nfc_normalize(s))),"
        r" '[\pP\pS]+', ' ', 'g'), '\s+', ' ', 'g'))"
    )
    if words:
        alternatives = "|".join(sorted(words, key=len, reverse=True))
        body = f"regexp_replace({base}, '^(?:{alternatives}) +(\\S)', '\\1')"
    else:
        body = base
    return f"CREATE OR REPLACE MACRO kire_norm(s) AS {body}"


def normalized(con, names: list[str]) -> list[str]:
    """The normalised forms of ``names`` through ``con``'s ``kire_norm`` (for reports and tests)."""
    import pyarrow as pa

    table = pa.table({"i": pa.array(range(len(names)), pa.int64()), "s": pa.array(names, pa.string())})
    con.register("_kire_norm_input", table)
    try:
        rows = con.execute("SELECT kire_norm(s) FROM _kire_norm_input ORDER BY i").fetchall()
    finally:
        con.unregister("_kire_norm_input")
    return [r[0] for r in rows]
