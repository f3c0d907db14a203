"""Static word vectors: queries (`query`, `expression`), word2vec training (`word2vec`) and
benchmark evaluation (`benchmarks`, `eval_analogies`, `eval_similarity`, `eval_ties`).
"""
