"""Evaluation: the official DocRED metric, its breakdowns and the threshold theta.

- :mod:`kire.eval.records`     a submission's records as the official scorer reads them; mismatched kinds
- :mod:`kire.eval.metric`      P, R, F1, Ign F1 and evidence F1 of a submission; Ign F1's training facts
- :mod:`kire.eval.breakdown`   scores by group: mention count, intra/inter sentence, distance > 5,
  Re-DocRED's frequent/long-tail relations, linked entities and KG edge per pair
- :mod:`kire.eval.knowledge`   links table and subgraph edges of a split, read for the breakdowns
- :mod:`kire.eval.threshold`   theta: the best dev F1 over all cut-offs of the sorted scores
- :mod:`kire.eval.run_metrics` one split's scores as `kire eval` prints them; metrics.json of a run
- :mod:`kire.eval.cli`         `kire eval` and `kire eval-run` argument parsing

Reads documents through kire.docs, and the links and subgraph tables as plain Parquet files (their
layouts are kire.linking's and kire.subgraph's); never imports kire.train (training imports the metric).
"""
