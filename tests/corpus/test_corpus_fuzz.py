"""Property-based tests of the corpus readers (vecs.corpus: files, reader, stats): any bytes, in
a plain or compressed file (damaged or not, its suffix matching or not), either give counts or
raise CorpusError with a one-line message naming the file. Lines are also cut into pieces of a
few bytes (as lines over 1 MB are), which must never split a character."""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from fuzzfiles import FUZZ, stored, loads_or_typed_error
from hypothesis import given
from hypothesis import strategies as st

import vecs.corpus.files as files
from vecs.corpus.stats import corpus_stats
from vecs.errors import CorpusError

LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["The cat sat. The dog ran!", "Mr. Smith went to Washington.", "naïve café 日本語 ü", "", "  ",
                     "\ufeffBOM first", "[Applause] Thank you.", "don't stop 1,000 3.14", "\x00", "a\rb"]),
)
TEXT = st.lists(LINE, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))
CORPUS = st.one_of(TEXT, TEXT, st.binary(max_size=120))


@FUZZ
@given(f=stored(CORPUS, suffixes=(".txt", ".md")), piece=st.sampled_from([None, None, 3, 7]))
def test_any_corpus_file_gives_counts_or_a_corpus_error(f, piece):
    data, name = f
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(data)
        with mock.patch.object(files, "CHUNK", piece or files.CHUNK):
            stats = loads_or_typed_error(corpus_stats, p, CorpusError, "counted")
        if stats is None:
            return
        assert stats.tokens >= stats.vocabulary >= 1 and stats.sentences >= stats.documents == 1
        assert sum(w.count for w in stats.top) <= stats.tokens
