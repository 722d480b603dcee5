"""Token embeddings and the attribute AutoEncoder (paper 4.2, eqs. 6-8).

- :mod:`kire.embed.vectors`   the ``WordVectors`` table (words, index, [V, d] float32 matrix)
- :mod:`kire.embed.glove`     ``load_glove``: GloVe from a text file or the offline 6B 50-d package
- :mod:`kire.embed.lookup`    ``LPLookup``: LP(w) of eq. 6 (GloVe, else averaged character vectors)
"""
