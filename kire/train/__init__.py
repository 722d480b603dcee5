"""Training: one model, variant and seed, end to end (docs/models.md).

- :mod:`kire.train.settings`      hyper-parameters of a run and rule train's flags, importable without torch
- :mod:`kire.train.variant_table` the training variants in one table (inputs, stage, report label)
- :mod:`kire.train.pipeline`      a base model plus what its variant adds
- :mod:`kire.train.loop`          the training loop: Adam, clipping, early stopping, checkpoints
- :mod:`kire.train.events`        the per-epoch records as a TensorBoard event file
- :mod:`kire.train.scores`        relation scores of a pipeline over featurized documents
- :mod:`kire.train.run`           one run: read splits, build, fit, pick theta, predict
- :mod:`kire.train.split`         a fixed train/dev split of one DocRED-format file
- :mod:`kire.train.cli`           `kire train` and `kire split-docred`
"""
