"""The joblib pickle walker (vecs.hub.pickle_walk) and the BallTree conversion on top of it:
arrays and plain values are read from the opcodes, nothing is ever imported or called, and a
pickle that names anything unexpected is refused — on tiny pickles assembled here byte by byte
(no joblib needed), and on real joblib dumps when joblib is installed."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from vecs.errors import FormatError
from vecs.hub.convert import read_balltree
from vecs.hub.pickle_walk import Global, Obj, Opaque, PickleRefused, walk


# -- a tiny pickle assembler (protocol 4 opcodes) -------------------------------------------
def s(text: str) -> bytes:
    b = text.encode()
    return (b"\x8c" + bytes([len(b)]) if len(b) < 256 else b"X" + struct.pack("<I", len(b))) + b


def i(n: int) -> bytes:
    return b"K" + bytes([n]) if 0 <= n < 256 else b"J" + struct.pack("<i", n)


def glob(module: str, name: str) -> bytes:
    return s(module) + s(name) + b"\x93"  # STACK_GLOBAL


def dtype(code: str, order: str = "<", elsize: int = -1) -> bytes:
    state = b"(" + i(3) + s(order) + b"NNN" + i(elsize) + i(-1) + i(0) + b"t"
    return glob("numpy", "dtype") + s(code) + b"\x89\x88\x87R" + state + b"b"  # dtype(code, False, True)


def array(a: np.ndarray, code: str | None = None, order: str = "C", padding: int | None = None) -> bytes:
    """A joblib NumpyArrayWrapper record followed by the array's raw bytes."""
    code = code or a.dtype.str[1:]
    byteorder = a.dtype.str[0]
    shape = b"(" + b"".join(i(n) for n in a.shape) + b"t"
    fields = (s("subclass") + glob("numpy", "ndarray") + s("shape") + shape + s("order") + s(order)
              + s("dtype") + dtype(code, byteorder, a.dtype.itemsize if code.startswith("V") else -1)
              + s("allow_mmap") + b"\x88")
    if padding is not None:
        fields += s("numpy_array_alignment_bytes") + i(16)
    out = glob("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81}(" + fields + b"ub"
    if padding is not None:
        out += bytes([padding]) + b"\xff" * padding
    return out + a.tobytes(order="F" if order == "F" else "C")


def dump(*body: bytes) -> bytes:
    return b"\x80\x04" + b"".join(body) + b"."


def write(tmp_path, data: bytes, name: str = "x.m"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# -- reading ---------------------------------------------------------------------------------
def test_walker_reads_plain_values_and_an_array_that_follows_its_record(tmp_path):
    v = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    p = write(tmp_path, dump(b"}(" + s("words") + b"](" + s("杨柳") + s("垂柳") + s("柳") + b"e"
                             + s("vectors") + array(v) + s("n") + i(3) + b"u"))
    top = walk(p, set()).value
    assert top["words"] == ["杨柳", "垂柳", "柳"] and top["n"] == 3
    np.testing.assert_array_equal(top["vectors"], v)


def test_walker_reads_fortran_order_byte_order_and_alignment_padding(tmp_path):
    f = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    big = np.arange(5, dtype=">i4")
    p = write(tmp_path, dump(b"(" + array(f, order="F") + array(big, padding=3) + b"t"))
    got_f, got_big = walk(p, set()).value
    np.testing.assert_array_equal(got_f, f)
    np.testing.assert_array_equal(got_big, big)
    assert got_big.dtype == np.dtype(">i4")


def test_walker_skips_structured_arrays_by_their_declared_size(tmp_path):
    rec = np.zeros(4, dtype=[("a", "<i8"), ("b", "<f8")])
    p = write(tmp_path, dump(b"(" + array(rec, code="V16") + array(np.ones(2)) + b"t"))
    opaque, after = walk(p, set()).value
    assert opaque == Opaque((4,), 64)
    np.testing.assert_array_equal(after, np.ones(2))


def test_allowed_globals_are_recorded_never_called(tmp_path):
    p = write(tmp_path, dump(glob("sklearn.neighbors._ball_tree", "newObj")
                             + glob("sklearn.neighbors._ball_tree", "BallTree") + b"\x85R" + b"(" + i(1) + b"tb"))
    obj = walk(p, {("sklearn.neighbors._ball_tree", "newObj"), ("sklearn.neighbors._ball_tree", "BallTree")}).value
    assert isinstance(obj, Obj) and obj.func == Global("sklearn.neighbors._ball_tree", "newObj")
    assert obj.args == (Global("sklearn.neighbors._ball_tree", "BallTree"),) and obj.state == (1,)


# -- refusals: nothing is executed -------------------------------------------------------------
def test_an_os_system_global_is_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    payload = dump(glob("os", "system") + s(f"touch {marker}") + b"\x85R")
    p = write(tmp_path, payload)
    with pytest.raises(PickleRefused, match=r"names os\.system, which is not expected"):
        walk(p, set())
    assert not marker.exists()


def test_an_old_style_global_with_reduce_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    p = write(tmp_path, b"cposix\nsystem\n(" + b"V" + f"touch {marker}".encode() + b"\ntR.")
    with pytest.raises(PickleRefused, match=r"posix\.system"):
        walk(p, {("numpy", "ndarray")})
    assert not marker.exists()


def test_reduce_of_a_plain_value_is_refused(tmp_path):
    p = write(tmp_path, dump(s("not callable") + b")R"))
    with pytest.raises(PickleRefused, match="REDUCE of something that is not an allowed global"):
        walk(p, set())


@pytest.mark.parametrize("opcode", [b"I1\n", b"\x95" + b"\x00" * 8 + b"I1\n"])
def test_unexpected_opcodes_are_refused(tmp_path, opcode):
    # INT (text protocol 0) is not among the opcodes joblib writes
    p = write(tmp_path, b"\x80\x04" + opcode + b".")
    with pytest.raises(PickleRefused, match="opcode INT is not expected"):
        walk(p, set())


def test_object_arrays_are_refused(tmp_path):
    p = write(tmp_path, dump(array(np.zeros(2), code="O8")))
    with pytest.raises(PickleRefused, match="dtype 'O8'"):
        walk(p, set())


def test_an_array_larger_than_the_file_is_refused(tmp_path):
    data = array(np.zeros(4))
    data = data.replace(i(4), i(200), 1)  # the shape now claims 200 rows
    p = write(tmp_path, dump(data))
    with pytest.raises(PickleRefused, match="bytes in what is left"):
        walk(p, set())


def test_a_cut_pickle_is_refused_with_one_typed_error(tmp_path):
    whole = dump(b"}(" + s("vectors") + array(np.ones((3, 4))) + b"u")
    for cut in (5, 40, len(whole) - 20, len(whole) - 1):
        with pytest.raises(PickleRefused) as e:
            walk(write(tmp_path, whole[:cut]), set())
        assert isinstance(e.value, FormatError) and "nothing in it was run" in str(e.value)


def test_an_unhashable_dict_key_is_refused_not_a_traceback(tmp_path):
    p = write(tmp_path, dump(b"}" + b"]" + b"\x85" + i(1) + b"s"))  # {([],): 1}
    with pytest.raises(PickleRefused, match="not a readable pickle"):
        walk(p, set())


def test_a_non_array_wrapper_build_state_is_refused(tmp_path):
    p = write(tmp_path, dump(glob("joblib.numpy_pickle", "NumpyArrayWrapper") + b")\x81" + i(1) + b"b"))
    with pytest.raises(PickleRefused, match="array record without its fields"):
        walk(p, set())


# -- the BallTree conversion -------------------------------------------------------------------
def balltree(words: list[str], v: np.ndarray, extra: bytes = b"") -> bytes:
    state = b"(" + array(v) + array(np.arange(len(words))) + i(40) + extra + b"t"
    tree = (glob("sklearn.neighbors._ball_tree", "newObj") + glob("sklearn.neighbors._ball_tree", "BallTree")
            + b"\x85R" + state + b"b")
    return dump(b"}(" + s("model") + tree + s("words") + b"](" + b"".join(s(w) for w in words) + b"eu")


def test_balltree_conversion_gives_the_words_and_float32_rows_in_order(tmp_path):
    v = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    space = read_balltree(write(tmp_path, balltree(["杨柳", "垂柳", "男人"], v)))
    assert space.words == ["杨柳", "垂柳", "男人"] and space.vectors.dtype == np.float32
    np.testing.assert_allclose(space.vectors, v)


def test_balltree_conversion_refuses_a_word_count_that_does_not_match(tmp_path):
    with pytest.raises(PickleRefused, match="2 words for 3 vectors"):
        read_balltree(write(tmp_path, balltree(["a", "b"], np.ones((3, 2)))))


def test_balltree_conversion_refuses_non_finite_vectors(tmp_path):
    with pytest.raises(PickleRefused, match="non-finite"):
        read_balltree(write(tmp_path, balltree(["a", "b"], np.array([[1.0, np.nan], [0.0, 1.0]]))))


def test_balltree_conversion_refuses_a_global_outside_the_tree_it_expects(tmp_path):
    evil = glob("builtins", "eval") + s("1") + b"\x85R"
    with pytest.raises(PickleRefused, match=r"builtins\.eval"):
        read_balltree(write(tmp_path, balltree(["a"], np.ones((1, 2)), extra=evil)))


def test_real_joblib_dumps_are_read_without_unpickling(tmp_path):
    joblib = pytest.importorskip("joblib")
    neighbors = pytest.importorskip("sklearn.neighbors")
    x = np.random.default_rng(0).normal(size=(30, 4))
    p = tmp_path / "tree.m"
    joblib.dump({"model": neighbors.BallTree(x), "words": [f"w{k}" for k in range(30)]}, p)
    space = read_balltree(p)
    assert space.words[:2] == ["w0", "w1"]
    np.testing.assert_allclose(space.vectors, x.astype(np.float32))
    joblib.dump({"f": np.asfortranarray(x), "i": np.arange(5, dtype=">i8")}, p)
    got = walk(p, set()).value
    np.testing.assert_array_equal(got["f"], x)
    np.testing.assert_array_equal(got["i"], np.arange(5))
