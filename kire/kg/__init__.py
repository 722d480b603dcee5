"""Knowledge-graph preparation: the Wikidata dump to Parquet tables queryable with DuckDB (docs/kg.md).

Extraction (`kire kg extract`):

- :mod:`kire.kg.extract`   the whole extraction: plan, chunks on Dask workers or in process, manifest
- :mod:`kire.kg.sources`   reading a .json / .json.gz / .json.bz2 dump as chunks of whole lines
- :mod:`kire.kg.shape`     the dump's JSON shape, checked first; other shapes rewritten one entity per line
- :mod:`kire.kg.bz2blocks` decompressing a byte range of a .bz2 file on its own
- :mod:`kire.kg.spool`     spool slots the gzip reader decompresses chunks into for local workers
- :mod:`kire.kg.chunk`     one chunk: its spec (where its text is), its lines to Parquet parts
- :mod:`kire.kg.records`   typed msgspec structs of one dump line
- :mod:`kire.kg.render`    a Wikidata datavalue as the text of ``attribute_triples.value``
- :mod:`kire.kg.tables`    decoded entities to the rows of the KG tables
- :mod:`kire.kg.schema`    the schemas of the KG tables every later stage reads
- :mod:`kire.kg.codes`     checks of the language codes and wiki site ids users give

Reading and testing it:

- :mod:`kire.kg.duck`      DuckDB over the extracted tables (views, connections, SQL helpers)
- :mod:`kire.kg.synth`     a synthetic dump in the official format, for scale tests
- :mod:`kire.kg.commands`  `kire kg extract | query | synth`: argument parsing
- :mod:`kire.kg.cli`       the `kire kg` command group
"""
