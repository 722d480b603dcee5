"""The bundled sample (resources/sample): a small Wikidata dump and DocRED- and DWIE-format datasets
written reproducibly from one small KG (docs/sample.md).

- :mod:`kire.sample.world`     the small KG behind the sample: real Wikidata ids, plausible facts
- :mod:`kire.sample.dump`      that KG in the Wikidata JSON dump format
- :mod:`kire.sample.facts`     queries over the KG that the text generators need
- :mod:`kire.sample.templates` sentence templates over KG facts
- :mod:`kire.sample.realize`   a topic entity to a tokenized draft document
- :mod:`kire.sample.docred`    drafts written as a DocRED-format dataset
- :mod:`kire.sample.dwie`      drafts written as DWIE article files
- :mod:`kire.sample.generate`  writing the whole sample (same code, same bytes)
- :mod:`kire.sample.validate`  checks that a written sample is what it promises
- :mod:`kire.sample.cli`       `kire sample`
"""
