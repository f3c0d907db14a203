"""Tokens as a reader should see them, and the token a command follows for a word.

Shown text (one rule for every table, plot and JSON of this room):

* a leading space is a middle dot: `` the`` -> ``·the`` (so ``the`` and ``·the``, two different
  tokens, never look alike); a newline is ``↵``, a tab ``⇥``, a no-break space ``⍽``, any other
  blank ``␣``; an empty token ``∅``;
* special tokens are marked with angle quotes: ``<bos>`` -> ``⟨bos⟩``, ``<|endoftext|>`` ->
  ``⟨endoftext⟩``;
* byte pieces are merged: when one character takes several tokens (SmolLM2 spells 输 in two
  byte-level pieces), the token that completes it shows the character and the pieces before it
  show ``⋯`` ("continued in the next token"). A lone byte piece (a guess) is shown as its bytes
  in hex, ``⟨e8 be⟩``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from vecs.errors import ContextualError
from vecs.util import unspaced_char

REPLACEMENT = "\ufffd"
CONTINUED = "⋯"
MAX_PIECES = 4  # a UTF-8 character is at most four bytes


def show(text: str) -> str:
    """A token's text made visible: leading spaces as ``·``, newlines ``↵``, tabs ``⇥``."""
    if text == "":
        return "∅"
    stripped = text.lstrip(" ")
    lead = len(text) - len(stripped)
    out = ("·" * lead + stripped).replace("\n", "↵").replace("\t", "⇥").replace("\r", "␍").replace("\u00a0", "⍽")
    return out if out.strip() else "␣" * len(out)  # other blanks (ideographic space...) made visible


def special(text: str) -> str:
    """``<bos>`` -> ``⟨bos⟩``; ``<|im_start|>`` -> ``⟨im_start⟩``."""
    inner = text.strip().strip("<>").strip("|")
    return f"⟨{inner or text}⟩"


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet, inverted: the character a byte-level BPE vocabulary stores
    for each byte -> the byte."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


BYTES = _byte_decoder()


def piece_bytes(raw: str) -> bytes | None:
    """The bytes a byte piece stands for: ``<0xE8>`` (SentencePiece byte fallback) or a
    byte-level BPE entry (``è¾``); None when ``raw`` is neither."""
    if raw.startswith("<0x") and raw.endswith(">") and len(raw) == 6:
        try:
            return bytes([int(raw[3:5], 16)])
        except ValueError:
            return None
    if raw and all(c in BYTES for c in raw):
        return bytes(BYTES[c] for c in raw)
    return None


def label(model, token_id: int) -> str:
    """One token id as shown text (a guess in a table): special tokens marked, a lone byte piece
    as its hex bytes."""
    token_id = int(token_id)
    if token_id in model.special_ids():
        return special(model.raw_token(token_id))
    text = model.token_text(token_id)
    if REPLACEMENT in text:
        b = piece_bytes(model.raw_token(token_id))
        if b is not None:
            return "⟨" + " ".join(f"{x:02x}" for x in b) + "⟩"
    return show(text)


def labels(model, ids: Sequence[int]) -> list[str]:
    """A run of token ids (a prompt) as shown text, one label per token, byte pieces merged:
    the token that completes a character shows it, the pieces before it ``⋯``."""
    ids = [int(i) for i in ids]
    specials = model.special_ids()
    out: list[str] = []
    pending: list[int] = []  # positions of pieces waiting for the rest of their character
    for t, i in enumerate(ids):
        if i in specials:
            out.extend(CONTINUED for _ in pending)
            pending = []
            out.append(special(model.raw_token(i)))
            continue
        run = [ids[p] for p in pending] + [i]
        text = model.decode_ids(run)
        if text.endswith(REPLACEMENT) and len(run) < MAX_PIECES and t + 1 < len(ids) and ids[t + 1] not in specials:
            pending.append(t)
            continue
        out.extend(CONTINUED for _ in pending)
        pending = []
        out.append(show(text) if REPLACEMENT not in text else label(model, i))
    out.extend(CONTINUED for _ in pending)
    return out


# --------------------------------------------------------------------------------------------
# Targets: the token a command follows for a word
# --------------------------------------------------------------------------------------------
def unspaced(text: str) -> bool:
    """Whether ``text`` starts in a script written without spaces between words (CJK ideographs,
    kana, full-width forms): :func:`vecs.util.unspaced_char` of its first character."""
    return bool(text) and unspaced_char(text[0])


@dataclass
class Target:
    """The token followed for ``word``: ``id``; ``tokens``, the shown text of every token the
    word splits into; ``note``, empty when the word is one token, else how it was split and
    which piece is followed."""

    word: str
    id: int
    tokens: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def shown(self) -> str:
        return self.tokens[0] if self.tokens else self.word


def _pieces(model, text: str) -> list[int]:
    """The ids of ``text`` without the start/end tokens the model adds (the unknown token kept)."""
    ids = model.encode_ids(text)
    drop = model.special_ids() - {getattr(model, "unknown_id", None)}
    while ids and ids[0] in drop:
        ids = ids[1:]
    while ids and ids[-1] in drop:
        ids = ids[:-1]
    return ids


def find_target(model, word: str, strict: bool = False) -> Target:
    """The token to follow for ``word`` as the next token of a text.

    ``word`` is tried as it would follow other text — with a leading space (``Warsaw`` ->
    ``·Warsaw``), then as written (Chinese has no spaces: ``入``); the first form that is one
    token wins. ``·the`` or a leading space asks for that exact form. A word that maps to the
    unknown token is a :class:`ContextualError`; one that splits into several tokens is followed
    by its first piece and ``note`` says how it was split — or, with ``strict``, refused."""
    if word is None or not word.strip():
        raise ContextualError("the target is empty")
    exact = word.startswith((" ", "·"))
    core = word.lstrip(" ·")
    if exact:
        forms = [" " + core]
    elif unspaced(core):  # Chinese, Japanese...: words follow without a space
        forms = [core, " " + core]
    else:
        forms = [" " + core, core]
    tried = []
    for form in forms:
        ids = _pieces(model, form)
        if form.startswith(" ") and len(ids) > 1 and model.token_text(ids[0]) == " ":
            ids = ids[1:]  # SentencePiece's lone "▁": the space is its own token here
            if not exact:
                continue
        tried.append((form, ids))
        if len(ids) == 1:
            break
    form, ids = min(tried, key=lambda f: len(f[1]) or 99) if tried else (forms[0], [])
    if not ids:
        raise ContextualError(f"{word!r} gives no token in {model.name}'s vocabulary")
    unk = getattr(model, "unknown_id", None)
    if unk is not None and ids[0] == unk:
        raise ContextualError(f"{core!r} is not in {model.name}'s vocabulary (it would be the unknown token): "
                              "choose a word the model knows")
    shown = [label(model, i) for i in ids]
    if len(ids) == 1:
        return Target(word, ids[0], shown)
    listed = " + ".join(shown)
    if strict:
        raise ContextualError(f"{core!r} is {len(ids)} tokens in {model.name} ({listed}); give a word that is one token")
    return Target(word, ids[0], shown,
                  f"{core!r} is {len(ids)} tokens in {model.name} ({listed}): following the first, {shown[0]!r}")
