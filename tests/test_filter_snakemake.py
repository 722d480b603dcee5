"""Snakemake: the filter and subgraph rules run for real on the bundled sample, and `--forcerun
filter_kg` (or a changed filter policy) reruns the filter and what depends on it only; a changed
training setting reruns the training run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from kire.docs.prepare import DatasetSource, prepare_dataset
from kire.kg.extract import extract
from kire.kg.tables import ExtractOptions
from kire.linking.link import LinkingConfig, link_dataset

UPSTREAM = {"extract_kg", "prepare_docs", "link_entities"}


def snakemake(results: Path, *args: str, config: tuple[str, ...] = ()) -> str:
    """Run snakemake in the project with ``results_dir=results`` (and ``config`` entries); return
    its combined output."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [str(Path(sys.executable).parent / "snakemake"), "--nolock", "--cores", "2", *args,
           "--config", f"results_dir={results}", *config]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    return output


def planned_jobs(output: str) -> dict[str, int]:
    """{rule: count} from the "Job stats" table of a dry run (empty when nothing is to be done)."""
    jobs: dict[str, int] = {}
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Job stats:":
            for row in lines[i + 3:]:
                match = re.fullmatch(r"(\w+)\s+(\d+)", row.strip())
                if not match:
                    break
                if match[1] != "total":
                    jobs[match[1]] = int(match[2])
            break
    return jobs


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """The sample's KG, documents and links made in-process (the library calls behind `kire kg
    extract`, `kire docs prepare` and `kire link`: only to save CLI start-ups), then `snakemake
    docs_linking_all` for real, which runs filter_kg and build_subgraph."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    dump = ROOT / config["kg"]["dump"]
    if not dump.exists():
        pytest.skip(f"bundled sample {dump} not found (run `kire sample`)")
    results = tmp_path_factory.mktemp("snakemake") / "results"
    extract(dump, results / "kg", ExtractOptions(tuple(config["kg"].get("languages", ["en"]))), workers=0)
    docs_cfg, linking = config.get("docs", {}), LinkingConfig(**config.get("linking", {}))
    for name, ds in config["datasets"].items():
        source = DatasetSource(name, ds["format"], train=str(ROOT / ds["train"]), test=str(ROOT / ds["test"]),
                               rel_info=str(ROOT / ds["rel_info"]), dev=str(ROOT / ds["dev"]) if ds.get("dev") else None)
        prepare_dataset(source, results / "docs" / name, docs_cfg.get("on_error", "fail"),
                        docs_cfg.get("dwie_dev_fraction", 0.2), docs_cfg.get("seed", 13))
        link_dataset(name, results / "docs" / name, results / "kg", results / "links" / name, linking)
    output = snakemake(results, "docs_linking_all")
    ran = set(re.findall(r"^\s*(?:local)?rule (\w+):", output, flags=re.M))
    return results, sorted(config["datasets"]), ran


def test_stage_runs_and_is_then_complete(finished_run):
    results, datasets, ran = finished_run
    assert ran == {"filter_kg", "build_subgraph", "docs_linking_all"}  # upstream outputs were there
    for name in datasets:
        assert (results / "subgraph" / name / "test" / "edges.parquet").exists()
    assert list((results / "kg_filtered" / "relation_triples").glob("part-*.parquet"))
    assert planned_jobs(snakemake(results, "-n", "docs_linking_all")) == {}


def test_forcerun_filter_kg_reruns_only_the_filter_and_downstream(finished_run):
    results, datasets, _ = finished_run
    # the command of the issue, as users type it
    jobs = planned_jobs(snakemake(results, "-n", "--forcerun", "filter_kg", "train_all"))
    assert jobs["filter_kg"] == 1 and jobs["build_subgraph"] == len(datasets)
    assert not UPSTREAM & set(jobs), jobs
    # restricted to this stage's target: exactly the filter and its dependants
    jobs = planned_jobs(snakemake(results, "-n", "docs_linking_all", "--forcerun", "filter_kg"))
    assert jobs == {"filter_kg": 1, "build_subgraph": len(datasets), "docs_linking_all": 1}


def test_changing_the_filter_policy_reruns_the_same_jobs(finished_run):
    results, datasets, _ = finished_run
    jobs = planned_jobs(snakemake(results, "-n", "docs_linking_all", config=("filter={policy: none}",)))
    assert jobs == {"filter_kg": 1, "build_subgraph": len(datasets), "docs_linking_all": 1}


def test_a_changed_training_setting_reruns_the_run_it_concerns(finished_run, tmp_path):
    """Rule train's flags are a param of the wildcards alone, so Snakemake records them and a changed
    train.* / model_settings / inject.* setting reruns the run (a param computed from ``input`` is
    not recorded, and such a change used to leave the old run in place without a word)."""
    results, datasets, _ = finished_run
    run = f"{results}/{datasets[0]}/bilstm/base/seed1/theta.json"
    one_epoch, other_lr = tmp_path / "one_epoch.yaml", tmp_path / "other_lr.yaml"
    one_epoch.write_text("train: {epochs: 1, patience: 1}\n")
    other_lr.write_text("train: {epochs: 1, patience: 1, lr: 0.001}\n")
    snakemake(results, run, "--configfile", str(one_epoch))
    assert planned_jobs(snakemake(results, "-n", run, "--configfile", str(one_epoch))) == {}
    jobs = planned_jobs(snakemake(results, "-n", run, "--configfile", str(other_lr)))
    assert jobs.get("train") == 1, jobs
