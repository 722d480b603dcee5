"""A user's config runs the user's experiment (issue 15 §2).

Snakemake merges ``--configfile`` into config.yaml key by key; the Snakefile lets a user's
``datasets`` replace the bundled sample's instead, so the user's dry run plans only the user's data.
The user's files below are small invented ones of the kinds the issue describes: a dump and one
DocRED-format dataset.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")

DOC = {
    "title": "Ada Lovelace",
    "sents": [["Ada", "Lovelace", "was", "born", "in", "London", "."]],
    "vertexSet": [
        [{"name": "Ada Lovelace", "pos": [0, 2], "sent_id": 0, "type": "PER"}],
        [{"name": "London", "pos": [5, 6], "sent_id": 0, "type": "LOC"}],
    ],
    "labels": [{"h": 0, "t": 1, "r": "P19", "evidence": [0]}],
}


def write_user_files(tmp_path: Path) -> Path:
    """my-config.yaml naming one dump and one dataset, with the files it names; returns its path."""
    dump = tmp_path / "my-dump.json.gz"
    with gzip.open(dump, "wt", encoding="utf-8") as fh:
        fh.write("[\n" + json.dumps({"id": "Q7259", "type": "item", "labels": {
            "en": {"language": "en", "value": "Ada Lovelace"}}, "claims": {}}) + "\n]\n")
    data = tmp_path / "mydata"
    data.mkdir()
    for split in ("train", "dev", "test"):
        (data / f"{split}.json").write_text(json.dumps([DOC]), encoding="utf-8")
    (data / "rel_info.json").write_text(json.dumps({"P19": "place of birth"}), encoding="utf-8")
    config = {
        "results_dir": str(tmp_path / "results"),
        "kg": {"dump": str(dump)},
        "datasets": {"mydata": {
            "format": "docred", **{s: str(data / f"{s}.json") for s in ("train", "dev", "test")},
            "rel_info": str(data / "rel_info.json"),
        }},
    }
    path = tmp_path / "my-config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def dry_run(*args: str) -> str:
    proc = subprocess.run([str(SNAKEMAKE), "--nolock", "-n", "train_all", *args], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout + proc.stderr


def planned_datasets(output: str) -> set[str]:
    return set(re.findall(r"dataset=([A-Za-z0-9_]+)", output))


def test_a_user_config_naming_datasets_plans_only_that_dataset(tmp_path):
    out = dry_run("--configfile", str(write_user_files(tmp_path)))
    assert planned_datasets(out) == {"mydata"}
    assert "sample_docred" not in out and "sample_dwie" not in out
    # The user's dump is the one extracted; the sample's is not read.
    assert "my-dump.json.gz" in out and "wikidata-sample" not in out
    # Keys the user's file leaves out still come from config.yaml (merged): the sample's grid.
    assert "mydata/bilstm/kire/seed1/metrics.json" in out


def test_a_user_config_without_datasets_keeps_the_sample(tmp_path):
    path = tmp_path / "my-config.yaml"
    path.write_text(yaml.safe_dump({"results_dir": str(tmp_path / "r"),
                                    "experiments": {"variants": ["base"]}}), encoding="utf-8")
    out = dry_run("--configfile", str(path))
    assert planned_datasets(out) == {"sample_docred", "sample_dwie"}
    assert "bilstm/kire/" not in out  # merged: the user's variants replace the list, nothing else


def test_datasets_given_with_config_replace_the_sample_too(tmp_path):
    user = yaml.safe_load(write_user_files(tmp_path).read_text())
    only = {"mydata": user["datasets"]["mydata"]}
    out = dry_run("--configfile", str(tmp_path / "my-config.yaml"),
                  "--config", f"datasets={json.dumps(only)}")
    assert planned_datasets(out) == {"mydata"}
