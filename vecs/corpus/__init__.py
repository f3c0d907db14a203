"""Corpora: the tokeniser (`tokenize`), reading files (`files`), named corpora and recipes
(`reader`), word counts (`stats`).
"""
