"""README's "Where things live" table is the truth about imports between kire's rooms.

Every ``import kire.X`` / ``from kire.X import`` inside a room (module level or inside functions)
must name a room that the table lets it import; a room missing from the table fails too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def allowed_imports() -> dict[str, set[str]]:
    """{room: rooms it may import} from the README table (one row may name several rooms)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Where things live", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`kire"):
            continue
        # each item is a room name, optionally followed by a remark in brackets
        may = {re.match(r"\w+", m.strip()).group() for m in cells[2].split(",") if m.strip()}
        for room in re.findall(r"`kire\.(\w+)`", cells[0]):
            table[room] = may
    return table


def imported_rooms() -> dict[str, set[str]]:
    """{room: other rooms it imports}, read with ast (no imports are run)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "kire").rglob("*.py"):
        parts = path.relative_to(ROOT / "kire").parts
        room = parts[0] if len(parts) > 1 else path.stem
        if room in ("__init__", "__main__"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("kire."):
                    other = name.split(".")[1]
                    if other != room:
                        found.setdefault(room, set()).add(other)
        found.setdefault(room, set())
    return found


def test_every_room_is_in_the_table():
    missing = set(imported_rooms()) - set(allowed_imports())
    assert not missing, f"rooms missing from README's 'Where things live': {sorted(missing)}"


def test_rooms_import_only_what_the_table_allows():
    table = allowed_imports()
    wrong = {room: sorted(others - table.get(room, set()))
             for room, others in imported_rooms().items() if others - table.get(room, set())}
    assert not wrong, f"imports not allowed by README's 'Where things live' table: {wrong}"


def test_the_table_reader_sees_a_forbidden_import():
    # the check can fail: kg may not import train
    assert "train" not in allowed_imports()["kg"]
