"""One training run, end to end: read splits, build model + variant, fit, pick theta, predict.

Outputs in the run folder (``results/<dataset>/<model>/<variant>/seed<k>/``):
``model.safetensors`` + ``model.json`` (best dev weights), ``metrics.jsonl`` (one line per epoch),
``checkpoint/`` (resumable state), ``theta.json`` (``{"theta", "dev_f1", "dev_ign_f1", "dev_p",
"dev_r", "best_epoch", "epochs", "train_seconds"}``), ``result_dev.json`` and, when a test split
is given, ``result_test.json`` (official submission format: ``[{title, h_idx, t_idx, r, evidence}]``).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kire.docs.model import Document
from kire.docs.read import read_relations, read_split
from kire.errors import InputError
from kire.eval.metric import Truth, check_unique_titles, facts_of_documents, read_train_facts
from kire.io import atomic_path, write_json_atomic
from kire.models.base import REModel
from kire.models.checkpoint import load_tensors, read_model_meta
from kire.models.features import LabelSpace
from kire.models.registry import model_class
from kire.train.loop import TrainConfig, evaluate_dev, fit, resolve_device, seed_everything, write_metrics
from kire.train.scores import relation_scores, submission
from kire.train.pipeline import Pipeline, build_variant
from kire.train.variant_table import COMPETITOR_SIZES, INJECT_BEFORE_OPTION

log = logging.getLogger(__name__)


def settings_as_trained(meta: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` plus what rebuilds a saved run exactly as it was trained.

    A KIRE-family run gets its saved layer configuration (``variant_spec.inject``) as ``inject``
    settings, under the ones given: a later change of an InjectConfig default (``gnn_layers`` was 3
    before session 5) does not change the architecture a saved run is rebuilt with. A spec saved
    before an injection option existed lacks that key and gets the value it was trained with
    (``inject.exchange: literal`` and likewise every key of INJECT_BEFORE_OPTION); a KB-graph spec
    without ``gated`` gets ``gated: false``, so that the saved weights (which have no gate, no
    W_rel) load as they were trained; a competitor run gets its saved module sizes likewise."""
    spec = meta.get("variant_spec") or {}
    if "inject" in spec:
        missing = {k: v for k, v in INJECT_BEFORE_OPTION.items() if k not in spec["inject"]}
        return {**settings, "inject": {**spec["inject"], **missing, **(settings.get("inject") or {})}}
    if "competitor" in spec:
        # the sizes a competitor run was trained with (saved since session 5; before, only those given)
        pinned = {k: spec[k] for k in COMPETITOR_SIZES if k in spec and k not in settings}
        if spec["competitor"] == "kb_graph" and "gated" not in spec:
            pinned["gated"] = False
        return {**settings, **pinned}
    return settings


def load_pipeline(model_dir: str | Path, documents: dict[str, list[Document]],
                  variant_settings: dict[str, Any] | None = None) -> tuple[Pipeline, dict]:
    """Rebuild a saved pipeline (architecture from model.json, weights from safetensors).

    ``variant_settings`` replaces the settings stored in model.json (e.g. the knowledge folders of
    new documents at prediction time); None keeps them. Raises InputError (model.safetensors) when
    the weights do not fit the architecture rebuilt from model.json (a spec edited by hand, an
    option whose trained value the spec does not record and whose default changed).
    """
    meta = read_model_meta(model_dir)
    space = LabelSpace(**meta["space"])
    model = model_class(meta["model"]).from_spec(space, meta["spec"])
    if variant_settings is None:
        variant_settings = dict(meta.get("variant_settings") or {})
    variant_settings = settings_as_trained(meta, variant_settings)
    parts = build_variant(meta["variant"], model, variant_settings, documents)
    parts.init_from = None
    pipeline = Pipeline(model, parts)
    weights = Path(model_dir) / "model.safetensors"
    try:
        pipeline.load_state_dict(load_tensors(weights))
    except RuntimeError as err:  # torch lists every missing, unexpected and mis-shaped key: keep the start
        detail = " ".join(str(err).split())
        raise InputError(str(weights), None, None,
                         f"the weights do not fit the {meta['variant']} architecture that model.json "
                         f"rebuilds ({detail[:400]}{'...' if len(detail) > 400 else ''})") from None
    return pipeline, meta


def run_training(*, train: str, dev: str, test: str | None, rel_info: str, model: str,
                 out_dir: str, cfg: TrainConfig, model_settings: dict[str, Any] | None = None,
                 variant: str = "base", variant_settings: dict[str, Any] | None = None,
                 train_facts: str | None = None, max_entities: int = 128) -> dict[str, Any]:
    """Train ``model`` (variant ``variant``) and write the run folder; return theta.json's content."""
    started = time.perf_counter()
    relations = read_relations(rel_info)
    splits = {"train": read_split(train, relations), "dev": read_split(dev, relations)}
    if test:
        splits["test"] = read_split(test, relations)
    files = {"train": train, "dev": dev, "test": test}
    for name in ("dev", "test"):  # before any training: both splits' predictions are keyed by title
        if name in splits:
            check_unique_titles(splits[name], str(files[name]))
    all_docs = [d for docs in splits.values() for d in docs]
    space = LabelSpace.from_documents(relations, all_docs, max_entities)
    seed_everything(cfg.seed)
    re_model: REModel = model_class(model).create(space, model_settings or {}, all_docs)
    parts = build_variant(variant, re_model, variant_settings or {}, splits)
    if parts.init_from:
        base = load_tensors(Path(parts.init_from) / "model.safetensors")
        re_model.load_state_dict({k[len("model."):]: v for k, v in base.items() if k.startswith("model.")})
    pipeline = Pipeline(re_model, parts)
    features = {name: [re_model.featurize(doc, i, str(files[name])) for i, doc in enumerate(docs)]
                for name, docs in splits.items()}
    truth = Truth.from_documents(splits["dev"], str(dev))
    facts = read_train_facts(train_facts, relations) if train_facts else facts_of_documents(splits["train"])
    meta = {"model": model, "space": space.to_json(), "spec": re_model.spec(), "variant": variant,
            "variant_settings": variant_settings or {}, "variant_spec": parts.spec, "train": asdict(cfg)}
    # stage 2 (a run started from a base run's weights) scores its starting point as epoch 0
    state = fit(pipeline, features["train"], features["dev"], truth, facts, cfg, out_dir, meta,
                score_start=parts.init_from is not None)

    # the best weights decide theta on dev and the test predictions
    out = Path(out_dir)
    best_dir = out / "checkpoint" / "best"
    best, _ = load_pipeline(best_dir, splits)
    device = resolve_device(cfg.device)
    best.to(device)
    dev_result, dev_scores = evaluate_dev(best, features["dev"], truth, facts, cfg.batch_size, device)
    write_metrics(out / "metrics.jsonl", state["metrics"])
    write_json_atomic(out / "result_dev.json",
                      submission(features["dev"], dev_scores, dev_result.theta, relations), indent=None)
    if "test" in features:
        test_scores = relation_scores(best, features["test"], "test", cfg.batch_size, device)
        write_json_atomic(out / "result_test.json",
                          submission(features["test"], test_scores, dev_result.theta, relations), indent=None)
    summary = {"theta": dev_result.theta, "dev_f1": dev_result.f1, "dev_ign_f1": dev_result.ign_f1,
               "dev_p": dev_result.p, "dev_r": dev_result.r, "best_epoch": state["best_epoch"],
               "epochs": state["epoch"], "train_seconds": sum(m["train_seconds"] for m in state["metrics"]),
               "wall_seconds": time.perf_counter() - started, "warnings": list(dev_result.warnings)}
    write_json_atomic(out / "theta.json", summary)
    for name in ("model.json", "model.safetensors"):  # last: their presence means the run is done
        with atomic_path(out / name) as tmp:
            shutil.copyfile(best_dir / name, tmp)
    return summary
