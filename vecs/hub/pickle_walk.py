"""Reading a joblib pickle's arrays and plain values without unpickling it.

A pickle is a small program: loading one can import and call anything it names. This module
never loads one. It walks the opcodes with the standard library's :func:`pickletools.genops`
(which only decodes them) and plays a tiny stack machine of its own over a fixed subset of
them: strings, numbers, tuples, lists, dicts and the memo are rebuilt as plain values; a
global is a :class:`Global` record (a name, never imported), and only the names the caller
allows are accepted; a call (``REDUCE``/``NEWOBJ``) is an :class:`Obj` record (never called)
whose ``BUILD`` state is kept as data. Any other opcode or global refuses the whole file with
a :class:`PickleRefused` naming the opcode and its position.

joblib writes each numpy array as a ``NumpyArrayWrapper`` record (shape, order, dtype) whose
``BUILD`` is followed by the array's raw bytes outside the pickle stream (after an optional
alignment padding). The walker reads those bytes itself — their size bounded by the file's —
as a numpy array of a plain numeric dtype (``f``/``i``/``u``/``b`` kinds, byte order as
recorded); an array of a structured (void) dtype is skipped by its declared size and stands
as an :class:`Opaque` record; an object dtype (which would need unpickling) is refused.
"""

from __future__ import annotations

import os
import pickletools  # genops only parses opcodes: nothing is unpickled, imported or called
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vecs.errors import FormatError

_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_NDARRAY = ("numpy", "ndarray")
_DTYPE = ("numpy", "dtype")
MAX_DIMS = 8
MAX_PADDING = 64


class PickleRefused(FormatError):
    """A pickle holds something the walker does not accept (an unexpected global or opcode,
    an object array, an absurd shape) or is cut short; nothing in it was executed."""


@dataclass(frozen=True)
class Global:
    """A name the pickle refers to (``module.name``), recorded, never imported."""

    module: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.module, self.name)


@dataclass
class Obj:
    """What a call in the pickle would have made: ``func(*args)``, then ``BUILD`` with
    ``state`` — recorded, never called."""

    func: Global
    args: tuple
    state: Any = None
    built: bool = False


@dataclass(frozen=True)
class Opaque:
    """An array of a structured dtype, skipped by its declared size (``nbytes``)."""

    shape: tuple[int, ...]
    nbytes: int


@dataclass
class _Mark:
    pass


@dataclass
class Walked:
    """The pickle's top value (plain values, :class:`Obj`, numpy arrays, :class:`Opaque`) and
    the globals it named."""

    value: Any
    globals: list[tuple[str, str]] = field(default_factory=list)


_PLAIN = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8",
          "BININT", "BININT1", "BININT2", "LONG1", "BINFLOAT"}
_CONST = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}


def walk(path: str | os.PathLike, allowed: set[tuple[str, str]], max_items: int = 50_000_000) -> Walked:
    """Walk the joblib pickle at ``path`` (never unpickling it). ``allowed``: the globals
    ``(module, name)`` it may name besides the array wrapper and numpy's ``ndarray``/``dtype``."""
    p = Path(path)
    size = p.stat().st_size
    ok = set(allowed) | {_WRAPPER, _NDARRAY, _DTYPE}
    with open(p, "rb") as f:
        return _Machine(f, p.name, size, ok, max_items).run()


class _Machine:
    def __init__(self, f, where: str, size: int, allowed: set[tuple[str, str]], max_items: int):
        self.f, self.where, self.size, self.allowed, self.max_items = f, where, size, allowed, max_items
        self.stack: list[Any] = []
        self.memo: dict[int, Any] = {}
        self.globals: list[tuple[str, str]] = []

    def refuse(self, why: str, pos: int | None = None) -> PickleRefused:
        at = f" at byte {pos:,}" if pos is not None else ""
        return PickleRefused(f"{self.where}: refused{at}: {why} (nothing in it was run)")

    def pop_mark(self, pos: int) -> list:
        for i in range(len(self.stack) - 1, -1, -1):
            if isinstance(self.stack[i], _Mark):
                items = self.stack[i + 1:]
                del self.stack[i:]
                return items
        raise self.refuse("a MARK is missing", pos)

    def pop(self, pos: int, n: int = 1) -> list:
        if len(self.stack) < n or any(isinstance(x, _Mark) for x in self.stack[-n:]):
            raise self.refuse("the stack is too short", pos)
        items = self.stack[-n:]
        del self.stack[-n:]
        return items

    def run(self) -> Walked:
        ops = pickletools.genops(self.f)
        count = 0
        try:
            for op, arg, pos in ops:
                count += 1
                if count > self.max_items:
                    raise self.refuse(f"more than {self.max_items:,} opcodes", pos)
                if op.name == "STOP":
                    if len(self.stack) != 1:
                        raise self.refuse("STOP with a stack of the wrong size", pos)
                    return Walked(self.stack[0], self.globals)
                self.step(op.name, arg, pos if pos is not None else -1)
        except PickleRefused:
            raise
        except (ValueError, EOFError, OverflowError, UnicodeDecodeError, TypeError) as e:  # TypeError: ([],) as a key
            raise self.refuse(f"not a readable pickle ({e})") from None
        raise self.refuse("it ends without STOP (cut short?)")

    def step(self, name: str, arg: Any, pos: int) -> None:  # noqa: C901 - one opcode per branch
        s = self.stack
        if name in ("PROTO", "FRAME"):
            return
        if name in _PLAIN:
            s.append(arg)
        elif name in _CONST:
            s.append(_CONST[name])
        elif name == "MARK":
            s.append(_Mark())
        elif name == "EMPTY_DICT":
            s.append({})
        elif name == "EMPTY_LIST":
            s.append([])
        elif name == "EMPTY_TUPLE":
            s.append(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            s.append(tuple(self.pop(pos, int(name[-1]))))
        elif name == "TUPLE":
            s.append(tuple(self.pop_mark(pos)))
        elif name == "MEMOIZE":
            if not s:
                raise self.refuse("MEMOIZE on an empty stack", pos)
            self.memo[len(self.memo)] = s[-1]
        elif name in ("BINPUT", "LONG_BINPUT"):
            if not s:
                raise self.refuse("PUT on an empty stack", pos)
            self.memo[arg] = s[-1]
        elif name in ("BINGET", "LONG_BINGET"):
            if arg not in self.memo:
                raise self.refuse(f"GET of an unknown memo slot {arg}", pos)
            s.append(self.memo[arg])
        elif name in ("APPEND", "APPENDS", "SETITEM", "SETITEMS"):
            self.fill(name, pos)
        elif name in ("STACK_GLOBAL", "GLOBAL"):
            if name == "GLOBAL":
                module, _, gname = str(arg).partition(" ")
            else:
                module, gname = self.pop(pos, 2)
            if not isinstance(module, str) or not isinstance(gname, str):
                raise self.refuse("a global whose name is not a string", pos)
            if (module, gname) not in self.allowed:
                raise self.refuse(f"it names {module}.{gname}, which is not expected here", pos)
            self.globals.append((module, gname))
            s.append(Global(module, gname))
        elif name in ("REDUCE", "NEWOBJ"):
            func, args = self.pop(pos, 2)
            if not isinstance(func, Global) or not isinstance(args, tuple):
                raise self.refuse(f"{name} of something that is not an allowed global", pos)
            s.append(Obj(func, args))
        elif name == "BUILD":
            (state,) = self.pop(pos, 1)
            if not s or not isinstance(s[-1], Obj) or s[-1].built:
                raise self.refuse("BUILD of something that is not a recorded object", pos)
            s[-1].state, s[-1].built = state, True
            if s[-1].func.key == _WRAPPER:
                wrapper = s[-1]
                s[-1] = self.read_array(wrapper, pos)
                for k, v in self.memo.items():  # the memo holds the array, as joblib's would
                    if v is wrapper:
                        self.memo[k] = s[-1]
        else:
            raise self.refuse(f"opcode {name} is not expected here", pos)

    def fill(self, name: str, pos: int) -> None:
        if name in ("APPEND", "SETITEM"):
            items = self.pop(pos, 1 if name == "APPEND" else 2)
        else:
            items = self.pop_mark(pos)
        if not self.stack:
            raise self.refuse(f"{name} on an empty stack", pos)
        target = self.stack[-1]
        if name.startswith("APPEND"):
            if not isinstance(target, list):
                raise self.refuse(f"{name} to something that is not a list", pos)
            target.extend(items)
            return
        if not isinstance(target, dict) or len(items) % 2:
            raise self.refuse(f"{name} to something that is not a dict", pos)
        for k, v in zip(items[::2], items[1::2]):
            if not isinstance(k, (str, int, float, bool, type(None), tuple)):
                raise self.refuse("a dict key that is not a plain value", pos)
            target[k] = v

    def read_array(self, wrapper: Obj, pos: int):
        import numpy as np

        st = wrapper.state
        if wrapper.args or not isinstance(st, dict):
            raise self.refuse("an array record without its fields", pos)
        shape, order, dt, sub = st.get("shape"), st.get("order"), st.get("dtype"), st.get("subclass")
        if not (isinstance(sub, Global) and sub.key == _NDARRAY):
            raise self.refuse("an array of a subclass other than numpy.ndarray", pos)
        if not (isinstance(shape, tuple) and len(shape) <= MAX_DIMS
                and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
            raise self.refuse(f"an array with a bad shape {shape!r}", pos)
        if order not in ("C", "F"):
            raise self.refuse(f"an array with a bad order {order!r}", pos)
        dtype, itemsize = self.dtype(dt, pos)
        count = 1
        for n in shape:
            count *= n
        nbytes = count * itemsize
        align = st.get("numpy_array_alignment_bytes")
        if align is not None:
            pad = self.f.read(1)
            if len(pad) != 1 or pad[0] > MAX_PADDING:
                raise self.refuse("an array with a bad alignment padding", pos)
            self.f.read(pad[0])
        start = self.f.tell()
        if nbytes > self.size - start:
            raise self.refuse(f"an array of {nbytes:,} bytes in what is left of a {self.size:,}-byte file", pos)
        if dtype is None:
            self.f.seek(nbytes, 1)
            return Opaque(shape, nbytes)
        buf = self.f.read(nbytes)
        if len(buf) != nbytes:  # pragma: no cover - the size was checked above
            raise self.refuse("an array cut short", pos)
        flat = np.frombuffer(buf, dtype=dtype, count=count)
        return flat.reshape(shape[::-1]).T if order == "F" else flat.reshape(shape)

    def dtype(self, dt: Any, pos: int):
        """(numpy dtype or None for a structured one to skip, item size) from a dtype record."""
        import numpy as np

        if not (isinstance(dt, Obj) and dt.func.key == _DTYPE and dt.built and dt.args
                and isinstance(dt.args[0], str) and isinstance(dt.state, tuple) and len(dt.state) >= 8):
            raise self.refuse("an array whose dtype is not a plain numpy dtype record", pos)
        code, state = dt.args[0], dt.state
        order, elsize = state[1], state[5]
        if code.startswith("V") and isinstance(elsize, int) and 0 < elsize <= 1 << 16:
            return None, elsize  # a structured dtype: skipped by its size
        if code.startswith("O") or order not in ("<", ">", "|", "="):
            raise self.refuse(f"an array of dtype {code!r}, which cannot be read as plain numbers", pos)
        try:
            dtype = np.dtype(order + code if order in "<>" else code)
        except (TypeError, ValueError):
            raise self.refuse(f"an array of an unknown dtype {code!r}", pos) from None
        if dtype.kind not in "fiub" or dtype.hasobject:
            raise self.refuse(f"an array of dtype {code!r}, which cannot be read as plain numbers", pos)
        return dtype, dtype.itemsize
