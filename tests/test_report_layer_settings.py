"""The report's section on the KIRE runs' layer settings: what is not the paper's printed form,
per dataset / model / variant, and a warning when seeds of one row were trained differently."""

from __future__ import annotations

import json

import pytest

from kire.errors import InputError
from kire.report.collect import RunKey
from kire.report.layer_settings import PAPER_FORM, layer_settings_section, run_layer_settings


def write_run(root, variant, seed, spec):
    run = root / "d" / "bilstm" / variant / f"seed{seed}"
    run.mkdir(parents=True)
    (run / "model.json").write_text(json.dumps({"variant": variant, "variant_spec": spec}))
    return RunKey("d", "bilstm", variant, seed)


def test_rows_list_what_differs_from_the_paper_and_warn_on_mixed_seeds(tmp_path):
    current = {**PAPER_FORM, "gnn_layers": 1, "gnn_relation_messages": True, "exchange": "gated", "coref": True}
    keys = [write_run(tmp_path, "base", 1, None),
            write_run(tmp_path, "kire", 1, {"inject": current, "position": "after_encoder"}),
            write_run(tmp_path, "kire", 2, {"inject": current, "position": "after_encoder"}),
            write_run(tmp_path, "kire", 3, {"inject": {**current, "gnn_layers": 3}, "position": "after_encoder"}),
            # saved before the options existed: the paper's form
            write_run(tmp_path, "no_kg", 1, {"inject": {"coref": True}}),
            write_run(tmp_path, "rep_avg", 1, {"inject": PAPER_FORM, "position": "before_encoder"}),
            # switches that leave a setting without effect: it is not listed
            write_run(tmp_path, "graph_gcn", 1, {"inject": {**current, "coref": False, "graph_encoder": "gcn"}}),
            write_run(tmp_path, "no_kg2", 1, {"inject": {**current, "kg": False}})]
    text = "\n".join(layer_settings_section(tmp_path, keys))
    assert "| d | bilstm | kire | 1 | `gnn_layers: 1`, `gnn_relation_messages: true`, `exchange: \"gated\"` |" in text
    assert "| d | bilstm | kire | 3 | `gnn_relation_messages: true`, `exchange: \"gated\"` |" in text
    assert "Warning: the seeds of d / bilstm / kire were trained with different layer settings" in text
    assert "| d | bilstm | no_kg | 1 | the paper's form |" in text
    assert "| d | bilstm | rep_avg | 1 | `position: \"before_encoder\"` |" in text
    assert "| d | bilstm | base |" not in text
    assert "| d | bilstm | graph_gcn | 1 | `gnn_layers: 1` |" in text
    assert "| d | bilstm | no_kg2 | 1 | `exchange: \"gated\"` |" in text


def test_no_kire_runs_no_section_and_bad_json_names_the_file(tmp_path):
    assert layer_settings_section(tmp_path, [write_run(tmp_path, "continue", 1, None)]) == []
    run = tmp_path / "d" / "bilstm" / "kire" / "seed1"
    run.mkdir(parents=True)
    (run / "model.json").write_text("{not json")
    with pytest.raises(InputError, match="model.json"):
        run_layer_settings(run)
