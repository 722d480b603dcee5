"""Documents: one internal model for DocRED and DWIE, readers, validation and Parquet tables.

- :mod:`kire.docs.model`    the internal document model every stage reads, and its Parquet tables
- :mod:`kire.docs.docred`   reader (and writer) of the DocRED format, also Re-DocRED
- :mod:`kire.docs.dwie`     reader of DWIE's native per-document JSON files
- :mod:`kire.docs.validate` fail-or-skip handling of invalid records and its rejects report
- :mod:`kire.docs.overlap`  documents shared across splits (docs.on_overlap) and title clashes inside one
- :mod:`kire.docs.prepare`  a dataset's raw files to the document tables of its splits (`kire docs prepare`)
- :mod:`kire.docs.read`     a split's documents (tables folder or DocRED file) and relation ids, for
  training, evaluation and the benchmarks
- :mod:`kire.docs.cli`      `kire docs prepare` argument parsing

Imports nothing of kire but kire.errors and kire.io: every later stage reads documents from here.
"""
