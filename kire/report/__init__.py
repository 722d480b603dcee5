"""Reports over a results tree: the paper's tables (2/3, 4), its ablation and graph-encoder plots
(Fig. 3, 4), the comparison of every stage-2 variant against the ``continue`` control, the
benchmark breakdowns and training curves.

- :mod:`kire.report.labels`   display names and groups of models and variants
- :mod:`kire.report.collect`  reading ``results/<dataset>/<model>/<variant>/seed<k>/`` into tables
- :mod:`kire.report.tables`   mean +- std over seeds, laid out as the paper's tables
- :mod:`kire.report.documents` per-document counts of the official metric (bootstrap, inspect page)
- :mod:`kire.report.compare`  paired changes against ``continue``: t-interval, bootstrap over documents
- :mod:`kire.report.layer_settings` the KIRE runs' layer settings that are not the paper's printed form
- :mod:`kire.report.plots`    PNG figures (matplotlib, Agg backend)
- :mod:`kire.report.html_page` escaping, KG id links and the frame of the inspect pages
- :mod:`kire.report.inspect`  inspect pages: a run's dev predictions document by document; kire predict's
- :mod:`kire.report.build`    everything above written into ``results/report/``
- :mod:`kire.report.cli`      `kire report`, `kire inspect`
"""
