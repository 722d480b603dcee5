"""Coreference triples (ms, mt, p) for KIRE's coreference distillation (paper, section 4.1).

Sources: the datasets' annotations (p = 1), KG aliases of linked entities (p = a prior) and a
model-based resolver (p = its calibrated confidence). See docs/coref.md.
"""

from kire.coref.table import COREF_SCHEMA, read_coref

__all__ = ["COREF_SCHEMA", "read_coref"]
