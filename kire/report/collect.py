"""Reading a results tree into tables.

A run is ``<results>/<dataset>/<model>/<variant>/seed<k>/`` and its ``metrics.json`` holds, per
evaluated split (``dev`` always, ``test`` when the test file has labels), the output of ``kire eval``
(the official metric, fractions in [0, 1]) plus the threshold theta chosen on dev::

    {"dev":  {"f1": .., "ign_f1": .., "p": .., "r": .., "theta": .., ...,
              "breakdowns": {"mentions": {"1": {"f1": .., "ign_f1": .., ...}, "(1,3]": {..}, ">3": {..}},
                             ...}},
     "test": {...}}

``breakdowns`` is optional: ``breakdowns.<kind>.<group>`` holds the scores of one group of entity
pairs (``mentions``: the paper's Table 4 buckets of the average mention count of a pair; the other
kinds that ``kire eval`` writes, e.g. intra/inter sentence, frequent/long-tail relations, linked
entities, KG edge, are read alike); its f1 and ign_f1 are kept, other keys are ignored. Training curves come from the run's per-epoch JSON lines
(``EPOCH_LOG``, written by the training loop), one object per epoch with at least ``epoch``.

Tables returned (pandas DataFrames):

``scores``  dataset, model, variant, seed:int, split, metric, value:float (one row per number)
``buckets`` dataset, model, variant, seed:int, split, breakdown, bucket, metric, value:float
``curves``  dataset, model, variant, seed:int, epoch:int, metric, value:float
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kire.errors import InputError

METRICS_FILE = "metrics.json"
EPOCH_LOG = "metrics.jsonl"
SPLITS = ("dev", "test")
REQUIRED = ("f1", "ign_f1")
OPTIONAL = ("p", "r", "theta")
MENTION_BUCKETS = ("1", "(1,3]", ">3")
SEED_DIR = re.compile(r"^seed(\d+)$")


@dataclass(frozen=True)
class RunKey:
    """Where a run sits in the grid."""

    dataset: str
    model: str
    variant: str
    seed: int

    def path(self, results: str | Path) -> Path:
        """The run's folder under ``results``."""
        return Path(results, self.dataset, self.model, self.variant, f"seed{self.seed}")

    def __str__(self) -> str:
        return f"{self.dataset}/{self.model}/{self.variant}/seed{self.seed}"


@dataclass
class Grid:
    """The runs a report expects: datasets x models x variants x seeds."""

    datasets: list[str]
    models: list[str]
    variants: list[str]
    seeds: list[int]

    def runs(self) -> list[RunKey]:
        return [RunKey(d, m, v, s) for d in self.datasets for m in self.models
                for v in self.variants for s in self.seeds]


@dataclass
class Results:
    """Everything read from a results tree, and which expected runs were absent."""

    grid: Grid
    scores: pd.DataFrame
    buckets: pd.DataFrame
    curves: pd.DataFrame
    missing: list[RunKey] = field(default_factory=list)


def _number(value, file: Path, where: str, low: float = 0.0, high: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(str(file), None, where, f"expected a finite number, got {value!r}")
    if not low <= value <= high:
        raise InputError(str(file), None, where, f"{value} is outside [{low}, {high}] (scores are fractions)")
    return float(value)


def read_metrics(path: str | Path) -> dict[str, dict]:
    """Return ``{split: {"scores": {metric: v}, "buckets": {(kind, group): {metric: v}}}}`` of a metrics.json.

    Raises InputError naming the file and field when the schema in the module docstring is not met.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(str(path), None, None, f"not valid JSON ({err})") from None
    if not isinstance(data, dict) or "dev" not in data:
        raise InputError(str(path), None, "dev", "missing: metrics.json must hold the dev scores")
    out: dict[str, dict] = {}
    for split in SPLITS:
        if data.get(split) is None:
            continue
        block = data[split]
        if not isinstance(block, dict):
            raise InputError(str(path), None, split, "expected an object of scores")
        scores = {}
        for metric in (*REQUIRED, *OPTIONAL):
            if metric not in block:
                if metric in REQUIRED:
                    raise InputError(str(path), None, f"{split}.{metric}", "missing")
                continue
            high = math.inf if metric == "theta" else 1.0
            low = -math.inf if metric == "theta" else 0.0
            scores[metric] = _number(block[metric], path, f"{split}.{metric}", low, high)
        buckets = {}
        kinds = block.get("breakdowns") or {}
        if not isinstance(kinds, dict):
            raise InputError(str(path), None, f"{split}.breakdowns", "expected an object")
        for kind, groups in kinds.items():
            if not isinstance(groups, dict):
                raise InputError(str(path), None, f"{split}.breakdowns.{kind}", "expected an object")
            for bucket, values in groups.items():
                where = f"{split}.breakdowns.{kind}.{bucket}"
                if not isinstance(values, dict):
                    raise InputError(str(path), None, where, "expected an object")
                buckets[kind, bucket] = {m: _number(values[m], path, f"{where}.{m}")
                                         for m in REQUIRED if m in values}
        out[split] = {"scores": scores, "buckets": buckets}
    return out


def read_epoch_log(path: str | Path) -> list[dict]:
    """Return the per-epoch records of a run (``[]`` when the file is absent)."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(str(path), f"line {n}", None, f"not valid JSON ({err})") from None
        if not isinstance(record, dict) or "epoch" not in record:
            raise InputError(str(path), f"line {n}", "epoch", "missing")
        records.append(record)
    return records


def discover_grid(results: str | Path) -> Grid:
    """The grid spanned by the runs found under ``results`` (every ``*/*/*/seed<k>/metrics.json``)."""
    keys = [_key(p.parent) for p in Path(results).glob(f"*/*/*/seed*/{METRICS_FILE}")]
    keys = [k for k in keys if k is not None]
    from kire.report.labels import MODEL_LABELS, VARIANT_ORDER, ordered

    return Grid(
        datasets=sorted({k.dataset for k in keys}),
        models=ordered({k.model for k in keys}, list(MODEL_LABELS)),
        variants=ordered({k.variant for k in keys}, VARIANT_ORDER),
        seeds=sorted({k.seed for k in keys}),
    )


def _key(run_dir: Path) -> RunKey | None:
    match = SEED_DIR.match(run_dir.name)
    if not match:
        return None
    variant_dir = run_dir.parent
    model_dir = variant_dir.parent
    return RunKey(model_dir.parent.name, model_dir.name, variant_dir.name, int(match.group(1)))


def collect(results: str | Path, grid: Grid | None = None) -> Results:
    """Read every run of ``grid`` (default: the runs found) under ``results``; list the absent ones."""
    grid = grid or discover_grid(results)
    score_rows, bucket_rows, curve_rows, missing = [], [], [], []
    for key in grid.runs():
        run_dir = key.path(results)
        metrics = run_dir / METRICS_FILE
        if not metrics.is_file():
            missing.append(key)
            continue
        ids = (key.dataset, key.model, key.variant, key.seed)
        for split, block in read_metrics(metrics).items():
            score_rows += [(*ids, split, m, v) for m, v in block["scores"].items()]
            bucket_rows += [(*ids, split, kind, b, m, v) for (kind, b), values in block["buckets"].items()
                            for m, v in values.items()]
        for record in read_epoch_log(run_dir / EPOCH_LOG):
            curve_rows += [(*ids, int(record["epoch"]), m, float(v)) for m, v in record.items()
                           if m != "epoch" and isinstance(v, (int, float)) and not isinstance(v, bool)]
    base = ["dataset", "model", "variant", "seed"]
    return Results(
        grid=grid,
        scores=pd.DataFrame(score_rows, columns=[*base, "split", "metric", "value"]),
        buckets=pd.DataFrame(bucket_rows, columns=[*base, "split", "breakdown", "bucket", "metric", "value"]),
        curves=pd.DataFrame(curve_rows, columns=[*base, "epoch", "metric", "value"]),
        missing=missing,
    )
