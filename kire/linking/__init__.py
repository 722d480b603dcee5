"""Entity linking of document entities to KG entities (`kire link`); see :mod:`kire.linking.link`."""

from kire.linking.link import LINKS_SCHEMA, LinkingConfig, link_dataset, read_links

__all__ = ["LINKS_SCHEMA", "LinkingConfig", "link_dataset", "read_links"]
