"""The skeleton every stage plugs into: CLI, Snakefile, config validation, atomic outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kire.config import ConfigError, check_config, config_errors, load_schema
from kire.io import atomic_dir, atomic_path, path_inside, write_json_atomic
from kire.errors import KireError

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def default_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_kire_help_lists_every_registered_subcommand():
    from kire.cli import STAGE_COMMANDS, build_parser

    out = subprocess.run(
        [sys.executable, "-m", "kire", "--help"], capture_output=True, text=True, check=True
    ).stdout
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert len(sub.choices) >= len(STAGE_COMMANDS)
    for name in sub.choices:
        assert name in out


def test_default_config_is_valid():
    assert config_errors(default_config(), load_schema(SCHEMA)) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c.update(bogus=1), "unknown config key 'bogus'"),
        (lambda c: c["kg"].update(dumpp="x.json"), "unknown config key 'kg.dumpp'"),
        (lambda c: c.update(results_dir=3), "config key 'results_dir': 3 is not of type 'string'"),
        (lambda c: next(iter(c["datasets"].values())).update(format="conll"),
         "is not one of ['docred', 'dwie']"),
        (lambda c: c["kg"].pop("dump"), "'dump' is a required property"),
        (lambda c: c["experiments"].update(variants=["base", "kiree"]),
         "config key 'experiments.variants': unknown variant 'kiree'; known: base, continue, kire"),
        (lambda c: c["experiments"].update(models=["bilstmm"]),
         "config key 'experiments.models': unknown model 'bilstmm'; known: atlop, bilstm"),
        (lambda c: c["experiments"].update(datasets=["mnie"]),
         "config key 'experiments.datasets': unknown dataset 'mnie'; known: sample_docred"),
        # caught before any job, not when a train job builds the layer
        (lambda c: c.setdefault("inject", {}).setdefault("layer", {}).update(gnn_heads=0),
         "config key 'inject.layer.gnn_heads': 0 is less than the minimum of 1"),
        (lambda c: c.setdefault("inject", {}).setdefault("layer", {}).update(aggregators="2"),
         "config key 'inject.layer.aggregators': '2' is not of type 'integer'"),
    ],
)
def test_wrong_key_or_type_names_the_key(mutate, expected):
    config = default_config()
    mutate(config)
    with pytest.raises(ConfigError) as err:
        check_config(config, SCHEMA)
    assert expected in str(err.value)


def test_every_schema_property_is_described():
    def walk(node, path):
        if isinstance(node, dict):
            if "type" in node and path and not path[-1].startswith("items"):
                assert "description" in node, f"schema key {'.'.join(path)} has no description"
            for key, child in node.get("properties", {}).items():
                walk(child, path + [key])
            if isinstance(node.get("additionalProperties"), dict):
                walk(node["additionalProperties"], path + ["<name>"])

    walk(load_schema(SCHEMA), [])


def run_snakemake(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SNAKEMAKE), "--nolock", *args], cwd=cwd, capture_output=True, text=True
    )


def test_snakemake_dry_run_prints_the_dag(tmp_path):
    proc = run_snakemake("-n", "train_all", "--config", f"results_dir={tmp_path}")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "train_all" in proc.stdout + proc.stderr


def test_snakemake_rejects_a_wrong_key_before_any_job(tmp_path):
    proc = run_snakemake("-n", "train_all", "--config", f"results_dir={tmp_path}", "bogus_key=1")
    assert proc.returncode != 0
    assert "unknown config key 'bogus_key'" in proc.stdout + proc.stderr
    # the message alone: no traceback tail naming the Snakefile's or kire.config's lines
    assert "Traceback" not in proc.stderr and 'File "' not in proc.stderr, proc.stderr
    assert not any(tmp_path.iterdir())


def test_every_rule_declares_log_benchmark_threads_and_memory():
    import re

    for smk in sorted((ROOT / "rules").glob("*.smk")):
        text = smk.read_text()
        for block in re.split(r"\n(?=rule |checkpoint )", text):
            header = re.match(r"(rule|checkpoint) (\w+):", block)
            if not header or "shell:" not in block:
                continue  # target rules only gather inputs
            for directive in ("log:", "benchmark:", "threads:", "mem_mb="):
                assert directive in block, f"{smk.name}: rule {header.group(2)} lacks {directive}"


def test_snakefile_includes_common_first_then_every_stage_file_once():
    """Stage files are included by name, not by glob: a new rules/*.smk must be listed."""
    import re

    included = re.findall(r'^include: "rules/([^"]+)"$', (ROOT / "Snakefile").read_text(), re.MULTILINE)
    assert included[0] == "common.smk"
    assert len(included) == len(set(included))
    assert sorted(included) == sorted(smk.name for smk in (ROOT / "rules").glob("*.smk"))


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    write_json_atomic(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_path_inside_refuses_escapes(tmp_path):
    assert path_inside(tmp_path / "a" / "b", tmp_path) == (tmp_path / "a" / "b").resolve()
    with pytest.raises(KireError):
        path_inside(tmp_path / ".." / "etc", tmp_path)


def test_atomic_outputs_get_ordinary_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        target = write_json_atomic(tmp_path / "manifest.json", {})
        with atomic_dir(tmp_path / "tables") as folder:
            (folder / "part-0.parquet").write_bytes(b"")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "tables").stat().st_mode) == 0o755
