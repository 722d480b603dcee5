"""kire: entity-knowledge injection for document-level relation extraction (KIRE, re-implemented)."""

__version__ = "0.1.0"
