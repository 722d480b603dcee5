"""Which knowledge-layer settings the report's KIRE-family runs were trained with.

kire's layer defaults differ from the paper's printed form where that form failed a measurement
(docs/inject.md: R-GAT relation messages, the detached L_kg head, the gated exchange, K = 1 R-GAT
layer), and a user may set others (``inject.position``, ``inject.layer``). A table that says
"+ KIRE" without them could be read as the paper's layer. The report therefore lists, per
dataset, model and variant, the settings its runs' ``model.json`` (``variant_spec``, written by
`kire train`) records where they are not the paper's, and warns when seeds of one row were trained
with different settings (a default changed between runs, or an edited config): their mean would
mix two layers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kire.errors import InputError
from kire.report.collect import RunKey
from kire.train.variant_table import INJECT_BEFORE_OPTION

# The paper's printed form of the settings kire's defaults change (docs/inject.md "Decisions"):
# eq. 9 as printed, eq. 12's loss on the token states, eq. 5 written into the tokens, K = 3.
PAPER_FORM: dict[str, Any] = {"gnn_layers": 3, **INJECT_BEFORE_OPTION}
PAPER_POSITION = "after_encoder"


def run_layer_settings(run_dir: Path) -> dict[str, Any] | None:
    """``{setting: value}`` of a run's layer that differ from :data:`PAPER_FORM` (``position``
    included when not the paper's); None for a run without the KIRE layer (base, continue,
    competitors) or without ``model.json``. Raises InputError naming the file when it is not JSON."""
    path = run_dir / "model.json"
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(str(path), None, None, f"not JSON ({err})") from None
    spec = (meta.get("variant_spec") or {}) if isinstance(meta, dict) else {}
    inject = spec.get("inject")
    if not isinstance(inject, dict):
        return None
    # a spec saved before an option existed lacks it: that run was trained with the paper's form;
    # a setting the run's switches leave without effect is not listed (no KG: no R-GAT, no L_kg;
    # no coreference: no exchange; relation messages are an R-GAT option)
    kg, coref = inject.get("kg", True), inject.get("coref", True)
    in_effect = {"gnn_layers": kg, "gnn_residual": kg, "kg_head": kg, "exchange": coref,
                 "gnn_relation_messages": kg and inject.get("graph_encoder", "rgat") == "rgat"}
    out = {k: inject.get(k, paper) for k, paper in PAPER_FORM.items()
           if in_effect[k] and inject.get(k, paper) != paper}
    position = spec.get("position", PAPER_POSITION)
    if position != PAPER_POSITION:
        out["position"] = position
    return out


def _format(settings: dict[str, Any]) -> str:
    return ", ".join(f"`{k}: {json.dumps(v)}`" for k, v in settings.items()) or "the paper's form"


def layer_settings_section(results_dir: str | Path, runs: list[RunKey]) -> list[str]:
    """Markdown lines of the report's section on the KIRE-family runs' layer settings (empty when
    no run of ``runs`` has the layer)."""
    rows: dict[tuple[str, str, str], dict[int, dict[str, Any]]] = {}
    for key in runs:
        settings = run_layer_settings(Path(results_dir) / key.dataset / key.model / key.variant / f"seed{key.seed}")
        if settings is not None:
            rows.setdefault((key.dataset, key.model, key.variant), {})[key.seed] = settings
    if not rows:
        return []
    lines = ["## Knowledge-layer settings of the runs", "",
             "Settings of the KIRE layer that are not the paper's printed form (eq. 9 messages without "
             "the relation, L_kg on the token states, eq. 5 written into the tokens, K = 3 R-GAT layers, "
             "the layer after the encoder), as each run's model.json records them; why kire's defaults "
             "differ: docs/inject.md.", "",
             "| Dataset | Model | Variant | seeds | settings not as printed in the paper |", "|---|---|---|---|---|"]
    warnings = []
    for (dataset, model, variant), by_seed in rows.items():
        distinct = {json.dumps(s, sort_keys=True) for s in by_seed.values()}
        seeds = ", ".join(str(s) for s in sorted(by_seed))
        if len(distinct) == 1:
            lines.append(f"| {dataset} | {model} | {variant} | {seeds} | {_format(next(iter(by_seed.values())))} |")
            continue
        for seed, settings in sorted(by_seed.items()):
            lines.append(f"| {dataset} | {model} | {variant} | {seed} | {_format(settings)} |")
        warnings.append(f"**Warning: the seeds of {dataset} / {model} / {variant} were trained with different "
                        "layer settings**, so their mean and spread mix two layers; retrain the odd seeds "
                        "(e.g. `snakemake --forcerun train`) or report them apart.")
    return lines + [""] + ([*warnings, ""] if warnings else [])
