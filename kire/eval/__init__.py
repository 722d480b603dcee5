"""Evaluation: the official DocRED metric, its breakdowns and the threshold theta.

- :mod:`kire.eval.metric`      P, R, F1, Ign F1 and evidence F1 of a submission; Ign F1's training facts
- :mod:`kire.eval.breakdown`   F1 by group of entity pairs (mention count, intra/inter sentence)
- :mod:`kire.eval.threshold`   theta: the best dev F1 over all cut-offs of the sorted scores
- :mod:`kire.eval.run_metrics` metrics.json of a training run folder (`kire eval-run`)
- :mod:`kire.eval.cli`         `kire eval` and `kire eval-run` argument parsing

Reads documents through kire.docs; never imports kire.train (training imports the metric).
"""
