"""Token embeddings and the attribute AutoEncoder (paper 4.2, eqs. 6-8).

- :mod:`kire.embed.vectors`     the ``WordVectors`` table (words, index, [V, d] float32 matrix)
- :mod:`kire.embed.glove`       ``load_glove``: GloVe from a text file or the offline 6B 50-d package
- :mod:`kire.embed.chars`       character skip-gram vectors for CharEmb (eq. 6)
- :mod:`kire.embed.lookup`      ``LPLookup``: LP(w) of eq. 6 (GloVe, else averaged character vectors)
- :mod:`kire.embed.tokenize`    the one tokenizer for KG text (attribute names and values)
- :mod:`kire.embed.attributes`  attribute sequences q = [a; v], one per attribute triple
- :mod:`kire.embed.autoencoder` the attribute AutoEncoder of eq. 7 (BiLSTM encoder and decoder)
- :mod:`kire.embed.pretrain`    its self-supervised pretraining on all attribute sequences
- :mod:`kire.embed.codes`       attribute codes per entity (input of eq. 8)
- :mod:`kire.embed.cli`         `kire embed sequences | chars | pretrain | encode`
"""
