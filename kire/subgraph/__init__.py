"""The KG the encoder sees: leakage filtering and per-split subgraphs, run after linking.

- :mod:`kire.subgraph.filter` leakage filter (pairs of the scored splits) of the relation triples (`kire kg filter`)
- :mod:`kire.subgraph.build`  per-split subgraphs around the linked entities (`kire subgraph`)
- :mod:`kire.subgraph.cli`    the two commands' argument parsing

Reads the KG (kire.kg), the documents (kire.docs) and the links (kire.linking); read by the
knowledge sources of kire.inject and kire.predict.
"""
