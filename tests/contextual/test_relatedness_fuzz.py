"""Property-based tests of the relatedness CSV reader (vecs.contextual.relatedness): any bytes
as a CSV file either give rows with finite scores or raise DatasetError with a one-line message
naming the file."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path

from fuzzfiles import FUZZ, loads_or_typed_error
from hypothesis import given
from hypothesis import strategies as st

from vecs.contextual.relatedness import read_relatedness
from vecs.errors import DatasetError

HEADER = st.one_of(st.just(["word", "sentence1", "sentence2", "score"]),
                   st.just(["Word", " sentence1", "sentence2 ", "SCORE", "string", "extra"]),
                   st.lists(st.sampled_from(["word", "sentence1", "sentence2", "score", "string1", ""]), max_size=6))
CELL = st.one_of(st.sampled_from(["bank", "The bank is closed.", "a river bank", "3", "4.5", "nan", "inf", "-inf",
                                  "1e400", "", "x", '"', "a,b", "a\nb", "\x00"]), st.text(max_size=8))
SCORE = st.one_of(st.floats().map(repr), st.floats().map(repr), st.integers(-5, 5).map(str),
                  st.sampled_from(["nan", "inf", "1e400", "", "x", " 4 "]))
DELIMITER = st.sampled_from([",", ",", "\t", ";"])


@st.composite
def csv_file(draw) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=draw(DELIMITER))
    w.writerow(draw(HEADER))
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 3)):  # mostly a well-formed row: word, two sentences, a score
            w.writerow([draw(CELL), draw(CELL), draw(CELL), draw(SCORE)] + draw(st.lists(CELL, max_size=2)))
        else:
            w.writerow(draw(st.lists(CELL, min_size=0, max_size=6)))
    return out.getvalue().encode("utf-8", "surrogatepass")


@FUZZ
@given(data=st.one_of(csv_file(), csv_file(), st.binary(max_size=80)), bom=st.booleans())
def test_any_relatedness_csv_reads_or_raises_dataset_error(data, bom):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "rel.csv"
        p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        rows = loads_or_typed_error(read_relatedness, p, DatasetError, "read")
        if rows is None:
            return
        assert rows and all(math.isfinite(r["score"]) for r in rows)
