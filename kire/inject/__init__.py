"""The KIRE knowledge-injection layer (section 4 of the paper): ``H' = KnowledgeInject(D, H, G)``.

The layer, one module per part of the paper:

- :mod:`kire.inject.coref`       coreference distillation and context exchanging (4.1, eqs. 2-5)
- :mod:`kire.inject.attributes`  attribute representation of entities (4.2, eq. 8)
- :mod:`kire.inject.graph`       R-GAT (eq. 9) and the alternative graph encoders
- :mod:`kire.inject.reconcile`   representation reconciliation and the alignment loss (4.3, eqs. 10-12)
- :mod:`kire.inject.simple`      the paper's simple injection variants (rep-avg, rep-concat, MLP)
- :mod:`kire.inject.competitors` the competitors' injection modules (RESIDE, RECON, KB-graph; 5.2)
- :mod:`kire.inject.layer`       ``KnowledgeInject``: all of the above behind the ablation switches,
                                 and the multi-task loss (eq. 13)

Its input and the training variant around it:

- :mod:`kire.inject.batch`       the knowledge side of a batch (``KnowledgeBatch``)
- :mod:`kire.inject.knowledge`   one split's coref table, KG subgraph and attribute codes, read once
- :mod:`kire.inject.collate`     a batch's ``KnowledgeBatch`` cut out of its split's knowledge
- :mod:`kire.inject.training`    the ``kire`` training variant and its ablations, two-stage training
- :mod:`kire.inject.streams`     where the knowledge enters (``inject.position``): after the encoder,
                                 or the release's second stream before it and the fusion after it
"""
