"""kire: entity-knowledge injection for document-level relation extraction (KIRE, re-implemented).

Stages, in pipeline order (what each may import: README.md, "Where things live"):

- :mod:`kire.kg`       the Wikidata dump to Parquet tables and DuckDB (`kire kg`)
- :mod:`kire.docs`     DocRED / DWIE documents to document tables (`kire docs`)
- :mod:`kire.linking`  document entities to KG entities (`kire link`)
- :mod:`kire.subgraph` leakage filter and per-split KG subgraphs (`kire kg filter`, `kire subgraph`)
- :mod:`kire.coref`    coreference triples (`kire coref`)
- :mod:`kire.embed`    word vectors and attribute AutoEncoder codes (`kire embed`)
- :mod:`kire.models`   the RE models
- :mod:`kire.inject`   the KIRE layer and the competitors' injection modules
- :mod:`kire.train`    training runs (`kire train`)
- :mod:`kire.eval`     the DocRED metric (`kire eval`, `kire eval-run`)
- :mod:`kire.predict`  relations in new documents (`kire predict`)
- :mod:`kire.report`   tables and figures over a results tree (`kire report`)
- :mod:`kire.sample`   the bundled sample (`kire sample`)

Shared: :mod:`kire.cli` (the `kire` command), :mod:`kire.config` (config checks),
:mod:`kire.errors` (one-line errors), :mod:`kire.io` (atomic writes, safe paths),
:mod:`kire.progress` (progress with rate and ETA on stderr: a bar on a terminal, plain lines in logs).
"""

__version__ = "0.1.0"
