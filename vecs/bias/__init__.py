"""Bias probes: the direction and projections (`direction`), WEAT (`weat`), hard debiasing
(`debias`), the audit (`audit`) and the word lists they use (`wordlists`).
"""
