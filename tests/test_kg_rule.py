"""The rule extract_kg: its command line from the config, and a dry run of the `kg` target."""

from __future__ import annotations

import shlex
import subprocess
import sys

from kire.kg.commands import extract_flags
from tests.conftest import ROOT


def test_extract_flags_follow_the_config():
    assert shlex.split(extract_flags({"dump": "x", "languages": ["en", "de"]})) == ["--languages", "en,de"]
    flags = shlex.split(extract_flags({"dump": "x", "scheduler": "tcp://h:8786", "chunk_mb": 32,
                                       "keep_deprecated": True, "qualifiers": True}))
    assert flags == ["--languages", "en", "--scheduler", "tcp://h:8786", "--chunk-mb", "32",
                     "--keep-deprecated", "--qualifiers"]
    assert shlex.split(extract_flags({"dump": "x", "sitelinks": ["enwiki", "dewiki"]}))[2:] == [
        "--sitelinks", "enwiki,dewiki"]
    assert shlex.split(extract_flags({"dump": "x", "sitelinks": []}))[2:] == ["--sitelinks", "none"]


def test_dry_run_of_the_kg_target(tmp_path):
    snakemake = ROOT / ".venv" / "bin" / "snakemake"
    cmd = [str(snakemake) if snakemake.exists() else sys.executable + " -m snakemake",
           "-n", "-p", "--nolock", "--cores", "4", "--config", f"results_dir={tmp_path}", "--", "kg"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "rule extract_kg" in out
    line = next(x for x in out.splitlines() if "kire kg extract" in x)
    assert f"--out {tmp_path}/kg" in line and "--workers 4" in line and "--languages en,de" in line
    assert "--sitelinks enwiki" in line


def test_the_schema_checks_kg_languages_sites_and_reject_share():
    import yaml

    from kire.config import config_errors, load_schema

    schema = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    assert config_errors(config, schema) == []
    for key, value, bad in [("languages", ["en de"], "kg.languages.0"), ("languages", ["EN"], "kg.languages.0"),
                            ("sitelinks", ["en wiki"], "kg.sitelinks.0"), ("max_reject_share", 2, "kg.max_reject_share")]:
        wrong = dict(config, kg=dict(config["kg"], **{key: value}))
        assert any(f"'{bad}'" in m for m in config_errors(wrong, schema)), (key, value)
    ok = dict(config, kg=dict(config["kg"], languages=["zh-hans", "be-tarask"], sitelinks=["zh_min_nanwiki"]))
    assert config_errors(ok, schema) == []
