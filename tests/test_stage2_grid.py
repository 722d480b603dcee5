"""The grid runs the stage-2 control `continue` beside every stage-2 variant, with the same stage-2
hyper-parameters (train.stage2), unless experiments.control is false: Snakemake dry runs."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.test_foundation_workflow import ROOT, run_snakemake


def train_commands(tmp_path, experiments: dict, train: dict | None = None) -> dict[str, str]:
    """variant -> the `kire train` command of its one run in a dry run of train_all."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"results_dir": str(tmp_path / "results"),
                                       "experiments": {"datasets": ["sample_docred"], "models": ["bilstm"],
                                                       "seeds": [1], **experiments},
                                       **({"train": train} if train else {})}))
    proc = run_snakemake("-n", "-p", "train_all", "--configfile", str(ROOT / "config.yaml"), str(overlay))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    commands = [line for line in (proc.stdout + proc.stderr).splitlines() if "kire train " in line]
    return {re.search(r"--variant (\S+)", c).group(1): c for c in commands}


@pytest.mark.parametrize("variants", [["base", "kire"], ["kire"], ["base", "no_kg", "recon"]])
def test_continue_joins_every_grid_with_a_stage2_variant_and_shares_its_settings(tmp_path, variants):
    runs = train_commands(tmp_path, {"variants": variants},
                          {"epochs": 40, "patience": 6, "stage2": {"epochs": 7, "patience": 2, "inject_lr": 0.003}})
    assert set(runs) == {"base", "continue", *variants}  # base: stage 2 starts from it
    assert "--epochs=40" in runs["base"] and "--patience=6" in runs["base"] and "--inject-lr" not in runs["base"]
    for name in set(runs) - {"base"}:  # every stage-2 run, the control included, gets train.stage2
        assert "--epochs=7" in runs[name] and "--patience=2" in runs[name] and "--inject-lr=0.003" in runs[name]
        assert '"init_from": "' in runs[name] and "/bilstm/base/seed1" in runs[name]


def test_control_false_or_no_stage2_variant_runs_no_continue(tmp_path):
    assert set(train_commands(tmp_path, {"variants": ["base", "kire"], "control": False})) == {"base", "kire"}
    assert set(train_commands(tmp_path, {"variants": ["base"]})) == {"base"}
