"""Vector files and the store: readers and writers of word2vec text/binary, GloVe, fastText
.vec and TSV (`formats`, `text`, `binary`, `tsv`, `write`), the store's folder format (`folder`)
and the named models in it (`store`).
"""
