"""TensorBoard event file of a run: its per-epoch records (``metrics.jsonl``) as scalars.

The file ``events.out.tfevents.kire`` lies in the run folder beside ``metrics.jsonl``, so that
``tensorboard --logdir results/`` lists every run of the grid under its path
(``<dataset>/<model>/<variant>/seed<k>``). Nothing leaves the machine: the file is written with
``torch.utils.tensorboard.SummaryWriter`` (package ``tensorboard``), which only writes locally.

The whole file is rewritten from all records after every epoch, atomically, in the same place that
rewrites ``metrics.jsonl`` (:func:`kire.train.loop.write_metrics`): the event file always holds exactly
the epochs of the JSON lines, also after a run is resumed, and a crash never leaves half a file.

Tags (step = epoch; a record key absent from a record is simply not written):

==========================  ==========================================================
``loss/total``              mean training loss of the epoch (the sum of eq. 13's terms)
``loss/<term>``             each term of eq. 13 (``loss_<term>`` keys, e.g. ``re``, ``cr``, ``kg``)
``dev/F1`` ... ``dev/R``    dev F1, Ign F1, precision, recall in percent
``dev/theta``               the threshold chosen on dev
``lr/<group>``              learning rate of each optimiser parameter group at the epoch's end
``time/seconds_per_epoch``  wall seconds of the epoch (training and dev scoring)
``time/train_seconds``      wall seconds of the training part
==========================  ==========================================================
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any, Iterable

EVENTS_FILE = "events.out.tfevents.kire"

# record key -> (tag, factor): scores are fractions in the record, percent in TensorBoard
_FIXED: dict[str, tuple[str, float]] = {
    "loss": ("loss/total", 1.0),
    "dev_f1": ("dev/F1", 100.0),
    "dev_ign_f1": ("dev/Ign F1", 100.0),
    "dev_p": ("dev/P", 100.0),
    "dev_r": ("dev/R", 100.0),
    "theta": ("dev/theta", 1.0),
    "seconds": ("time/seconds_per_epoch", 1.0),
    "train_seconds": ("time/train_seconds", 1.0),
}


def scalars_of_record(record: dict[str, Any]) -> dict[str, float]:
    """``{tag: value}`` of one per-epoch record (see the module docstring); non-numbers are skipped."""
    out: dict[str, float] = {}
    for key, value in record.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            continue
        if key in _FIXED:
            tag, factor = _FIXED[key]
            out[tag] = float(value) * factor
        elif key.startswith("loss_"):
            out[f"loss/{key[len('loss_'):]}"] = float(value)
        elif key.startswith("lr_"):
            out[f"lr/{key[len('lr_'):]}"] = float(value)
    return out


def write_event_file(run_dir: str | Path, records: Iterable[dict[str, Any]]) -> Path:
    """Rewrite ``run_dir/events.out.tfevents.kire`` from the per-epoch ``records`` (step = ``epoch``).

    Returns the file's path. Raises ImportError naming the package when ``tensorboard`` is absent.
    """
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as err:  # torch's module imports the tensorboard package lazily
        raise ImportError("TensorBoard logging needs the 'tensorboard' package (pip install tensorboard), "
                          "or turn it off with train.tensorboard: false / --no-tensorboard") from err
    target = Path(run_dir) / EVENTS_FILE
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tb-") as tmp:
        writer = SummaryWriter(log_dir=tmp, flush_secs=3600)
        for record in records:
            step = int(record["epoch"])
            for tag, value in scalars_of_record(record).items():
                writer.add_scalar(tag, value, global_step=step)
        writer.close()
        (written,) = Path(tmp).glob("events.out.tfevents.*")
        written.replace(target)  # same folder, so the swap is atomic
    return target
