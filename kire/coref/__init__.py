"""Coreference triples (ms, mt, p) for KIRE's coreference distillation (paper, section 4.1).

Sources: the datasets' annotations (p = 1), KG aliases of linked entities (p = a prior) and a
model-based resolver (p = its calibrated confidence). See docs/coref.md.

- :mod:`kire.coref.table`       the ``coref`` table (one row per triple) and its reader
- :mod:`kire.coref.build`       one dataset split's triples from every enabled source, merged and capped
- :mod:`kire.coref.annotations` source ``annotations``: mentions of the same dataset entity
- :mod:`kire.coref.kg_aliases`  source ``kg_aliases``: spans matching aliases of one linked entity
- :mod:`kire.coref.backends`    model-based resolver backends by name
- :mod:`kire.coref.salience`    the project's own resolver: agreement filters + a learned salience score
- :mod:`kire.coref.mentions`    mentions of a parsed document and their agreement attributes
- :mod:`kire.coref.parse`       spaCy parsing in the documents' own tokenization
- :mod:`kire.coref.parallel`    chunks of documents in forked worker processes (parse and resolve)
- :mod:`kire.coref.neuralcoref` backend ``neuralcoref``: NeuralCoref 4.0's mention-pair scores
- :mod:`kire.coref.gap`         GAP: reader, scorer, calibration
- :mod:`kire.coref.fit`         fitting the salience resolver on GAP (`kire coref fit-gap`)
- :mod:`kire.coref.cli`         `kire coref build | eval-gap | fit-gap`
"""

from kire.coref.table import COREF_SCHEMA, read_coref

__all__ = ["COREF_SCHEMA", "read_coref"]
