"""Every kire package's ``__init__`` docstring is its index: it names each of its modules and
subpackages as ``:mod:`kire.<package>.<module>``` (read with ast: nothing is imported, no torch)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KIRE = Path(__file__).resolve().parents[1] / "kire"


def members(package: Path) -> list[str]:
    """The modules (``name.py``, not ``__init__``/``__main__``) and subpackages of ``package``."""
    found = []
    for child in sorted(package.iterdir()):
        if child.suffix == ".py" and child.stem not in ("__init__", "__main__"):
            found.append(child.stem)
        elif child.is_dir() and (child / "__init__.py").is_file():
            found.append(child.name)
    return found


def unlisted(package: Path, root: Path) -> list[str]:
    """Dotted names of ``package``'s members that its ``__init__`` docstring does not name as
    ``:mod:`<dotted>```; ``root`` is the folder the dotted names start from."""
    init = package / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"), str(init))) or ""
    dotted = ".".join(package.relative_to(root).parts)
    return [f"{dotted}.{name}" for name in members(package) if f":mod:`{dotted}.{name}`" not in doc]


PACKAGES = sorted(init.parent for init in KIRE.rglob("__init__.py"))


def test_every_kire_package_is_found():
    names = {".".join(p.relative_to(KIRE.parent).parts) for p in PACKAGES}
    assert {"kire", "kire.kg", "kire.inject", "kire.linking"} <= names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: ".".join(p.relative_to(KIRE.parent).parts))
def test_package_docstring_lists_every_module(package):
    missing = unlisted(package, KIRE.parent)
    assert not missing, f"{package / '__init__.py'}: its docstring does not list {missing}"


def test_a_missing_module_is_caught(tmp_path):
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "sub" / "__init__.py").write_text('"""Nothing listed."""\n')
    (pkg / "__init__.py").write_text('"""Index.\n\n- :mod:`demo.listed`  a module\n- demo.loose  named without the role\n"""\n')
    for name in ("listed", "loose", "__main__"):
        (pkg / f"{name}.py").write_text("")
    (pkg / "notes.txt").write_text("")
    assert unlisted(pkg, tmp_path) == ["demo.loose", "demo.sub"]
    assert unlisted(pkg / "sub", tmp_path) == []
