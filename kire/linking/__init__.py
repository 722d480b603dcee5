"""Entity linking of document entities to KG entities (`kire link`); see :mod:`kire.linking.link`.

- :mod:`kire.linking.link`      candidates, features and the best pick (DuckDB); the links table
- :mod:`kire.linking.gold`      gold links (QIDs, Wikipedia titles through sitelinks) and the linker's accuracy on them
- :mod:`kire.linking.types`     dataset entity types onto the linker's type classes (linking.type_map)
- :mod:`kire.linking.normalize` surface-form normalisation shared by mentions and KG aliases
- :mod:`kire.linking.cli`       `kire link` and the DuckDB engine options of the stages after it

``from kire.linking import read_links`` works; the names are imported on first use so that the
command line does not pay for pyarrow and DuckDB at start-up.
"""

from __future__ import annotations

__all__ = ["LINKS_SCHEMA", "LinkingConfig", "link_dataset", "read_links"]

# The splits whose entity pairs the leakage filter protects by default (config filter.splits):
# every split that is scored. Linking reads them too: their documents are linked without coherence.
PROTECTED_SPLITS = ("dev", "test")


def __getattr__(name: str):
    if name in __all__:
        from kire.linking import link

        return getattr(link, name)
    raise AttributeError(f"module 'kire.linking' has no attribute {name!r}")
