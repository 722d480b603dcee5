"""benchmarks/stage2_control.py: bad arguments stop before any run with one line naming the argument
(argparse's usage error, exit status 2), and a failed run names its log instead of a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "stage2_control.py"


@pytest.fixture()
def layout(tmp_path: Path) -> dict[str, Path]:
    """A results folder with empty document splits of dataset ``d``, a rel_info file and an OUT folder."""
    results = tmp_path / "results"
    for split in ("train", "dev", "test"):
        (results / "docs" / "d" / split).mkdir(parents=True)
    rel_info = tmp_path / "rel_info.json"
    rel_info.write_text(json.dumps({"P1": "r"}), encoding="utf-8")
    return {"results": results, "rel_info": rel_info, "out": tmp_path / "out"}


def stage2_control(layout: dict[str, Path], *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(SCRIPT), "--results", str(layout["results"]), "--dataset", "d",
           "--rel-info", str(layout["rel_info"]), "--out", str(layout["out"]), "--seeds", "1", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("extra, message", [
    (["--jobs", "0"], "--jobs must be at least 1, not 0"),
    (["--seeds", "1", "1"], "--seeds repeats a seed"),
    (["--stage2-args", '--lr "1e-4'], "--stage2-args '--lr \"1e-4': No closing quotation"),
    (["--model", "bert"], "--model 'bert' is not a registered model"),
    (["--arm", "continue", "kire", "{results}", "{{}}"], "--arm label 'continue' is taken"),
    (["--arm", "a", "kire", "{results}", "{{}}", "--arm", "a", "no_kg", "{results}", "{{}}"],
     "--arm label 'a' is taken"),
    (["--arm", "a/b", "kire", "{results}", "{{}}"], "--arm label 'a/b': use letters"),
    (["--arm", "a", "kiree", "{results}", "{{}}"], "--arm a: VARIANT 'kiree' is not a stage-2 knowledge variant"),
    (["--arm", "a", "continue", "{results}", "{{}}"], "--arm a: VARIANT 'continue' is not"),
    (["--arm", "a", "kire", "{results}/none", "{{}}"], "--arm a: RESULTS {results}/none is not a folder"),
    (["--arm", "a", "kire", "{results}", "{{bad"], "--arm a: SETTINGS is not JSON"),
    (["--arm", "a", "kire", "{results}", "[1]"], "--arm a: SETTINGS must be a JSON object"),
    (["--arm", "a", "kire", "{results}", '{{"inject": {{"position": "before_encoder"}}}}'],
     "'position' is a variant setting, not an InjectConfig override"),
    (["--model", "atlop", "--arm", "a", "kire", "{results}", '{{"position": "before_encoder"}}'],
     "--arm a: config key 'inject.position': 'before_encoder' needs word models"),
    (["--links", "{results}/links.parquet"], "--links {results}/links.parquet: file not found"),
    (["--kg-subgraph", "{results}"], "--kg-subgraph {results}: no dev/ folder"),
])
def test_bad_argument_is_a_usage_error_naming_it(layout, extra, message):
    fill = {"results": layout["results"]}
    done = stage2_control(layout, *[e.format(**fill) for e in extra])
    assert done.returncode == 2, done.stderr
    assert message.format(**fill) in done.stderr
    assert "Traceback" not in done.stderr
    assert not layout["out"].exists()  # nothing ran


def test_missing_document_split_is_named(layout):
    (layout["results"] / "docs" / "d" / "dev").rmdir()
    done = stage2_control(layout)
    assert done.returncode == 2
    assert f"no folder {layout['results'] / 'docs' / 'd' / 'dev'}" in done.stderr
    assert "Traceback" not in done.stderr


def test_failed_run_names_its_log(layout):
    # the document folders are empty, so the base run's `kire train` exits with an error
    done = stage2_control(layout, "--base-epochs", "1")
    log = layout["out"] / "base" / "seed1" / "train.log"
    assert done.returncode == 1
    assert f"run base seed 1 failed: see {log}" in done.stderr
    assert "Traceback" not in done.stderr
    assert log.read_text(encoding="utf-8").startswith(f"{sys.executable} -m kire train --train ")
    assert not (layout["out"] / "continue").exists()  # nothing after the failed base run
