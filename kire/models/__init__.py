"""Document-level RE models: an encoding layer and a prediction layer (eq. 1 of the paper).

- :mod:`kire.models.base`          the interface every model implements, split at H
- :mod:`kire.models.batch`         the batch every model and the injection layer read
- :mod:`kire.models.features`      documents to model inputs: label space, features, collation
- :mod:`kire.models.word_model`    what the DocRED baselines share (word inputs, bilinear classifier)
- :mod:`kire.models.cnn`           CNN baseline
- :mod:`kire.models.lstm`          LSTM and BiLSTM baselines
- :mod:`kire.models.context_aware` Context-aware baseline
- :mod:`kire.models.atlop`         ATLOP over a transformer (and the transformer windows, marked features, loading)
- :mod:`kire.models.ssan`          SSAN: ATLOP over structured self-attention (entity-structure bias)
- :mod:`kire.models.glre`          GLRE: document graph (R-GCN), local mention attention, relation context
- :mod:`kire.models.registry`      the model registry (a model is one module plus one entry)
- :mod:`kire.models.checkpoint`    saved models: safetensors weights, JSON architecture
"""
