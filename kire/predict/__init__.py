"""`kire predict`: relations found by a trained run in new documents (DocRED JSON or plain text).

- :mod:`kire.predict.text`      plain text to a Document: spaCy sentences, tokens and NER mentions
- :mod:`kire.predict.types`     the input's entity types onto the run's type scheme
- :mod:`kire.predict.knowledge` the knowledge of new documents for +KIRE and competitor runs
- :mod:`kire.predict.run`       loading a run folder and scoring documents
- :mod:`kire.predict.cli`       `kire predict` argument parsing
"""
