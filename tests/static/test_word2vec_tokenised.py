"""The tokenised copy word2vec trains from (vecs/static/tokenised.py): exactly the tokens of the
sentence-at-a-time pipeline (kept here as the reference), its counts in order of first occurrence,
gensim's sentence count; kept in the cache and reused (the content hash skipped when the files are
unchanged), listed and freed by `vecs cache`, named in the training's result and message."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from helpers import ok

from vecs.corpus.reader import Corpus, open_corpus
from vecs.errors import CorpusError
from vecs.hub.cache import cached, free, tokenised_corpora
from vecs.static.tokenised import KEEP_CACHED, MAX_SENTENCE, corpus_file
from vecs.static.word2vec import train_word2vec

MIXED = """\
It rained. Then it stopped! Did it? Yes — it did… “Quoted,” she said; ‘single’ too. Don’t stop.
Naïve café-goers in Zürich paid 3.50 CHF at 4:00 (1,000 of them) in the 1990s. e.g. this. Mr. Smith left.
URLs: https://example.com/a_b/c-d?x=1&y=2.5#frag and mail@host.org, v1.2.3-rc.4, 1.5kg, 2,000th.
他说：“好。”然后走了！真的？是的｡ 这场足球比赛中，输。《人民日报》、“杨柳”…
ＡＢＣ１２３　Ｄｅｆ，３．１４ and ｶﾀｶﾅ and ⺀ radicals. Ελληνικά и русский. हिन्दी भाषा.

...!? — ‘’ “” 。。。
UPPER Case MiXeD O'NEIL's 3.14ABC new_york __init__
"""


def reference(corpus: Corpus):
    """What the tokenised file and counts were before the fast path: one sentence at a time."""
    lines, counts, examples = [], Counter(), 0
    for toks in corpus.sentences():
        lines.append(" ".join(toks) + "\n")
        counts.update(toks)
        examples += (len(toks) - 1) // MAX_SENTENCE + 1
    return "".join(lines), counts, examples, dict(corpus.segmenter.used)


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("VECS_CACHE", str(cache))
    return cache


@pytest.fixture
def mixed(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text(MIXED, encoding="utf-8")
    (folder / "b.txt").write_text(MIXED.upper() + "\n" + " ".join(["word"] * 25_000) + ". End.\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("opts", [dict(), dict(lower=False, segment="char"), dict(segment="space"),
                                  dict(phrases=True, segment="char")])
def test_the_file_and_counts_are_those_of_the_sentence_at_a_time_pipeline(own_cache, mixed, opts):
    cf = corpus_file(open_corpus(mixed, **opts))
    text, counts, examples, used = reference(open_corpus(mixed, **opts))
    assert cf.path.read_text(encoding="utf-8") == text
    assert list(cf.counts.items()) == list(counts.items())  # the same order of first occurrence
    assert (cf.sentences, cf.examples, cf.tokens) == (text.count("\n"), examples, sum(counts.values()))
    assert cf.examples == cf.sentences + 2  # the 25,002-token line counts 3 times, as gensim counts it
    assert cf.segmented == used and not cf.cached and cf.size == cf.path.stat().st_size


def test_several_processes_write_the_same_file_in_the_same_order(own_cache, mixed, monkeypatch):
    import vecs.static.tokenised as tokenised

    monkeypatch.setattr(tokenised, "BLOCK_CHARS", 200)  # many small blocks, between non-ASCII sentences
    monkeypatch.setattr(tokenised, "BLOCK", 2)
    corpus = open_corpus(mixed, segment="char")
    assert tokenised.processes_for(corpus) == 1  # a small corpus: one process
    cf = corpus_file(corpus, processes=3)
    text, counts, examples, used = reference(open_corpus(mixed, segment="char"))
    assert cf.path.read_text(encoding="utf-8") == text and list(cf.counts.items()) == list(counts.items())
    assert (cf.examples, cf.segmented) == (examples, used)


def test_known_tokens_of_the_mixed_text(own_cache, mixed):
    cf = corpus_file(open_corpus(mixed, segment="char"))
    lines = cf.path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["it rained", "then it stopped", "did it"]
    assert "yes it did quoted she said single too" in lines and "don't stop" in lines
    assert "naïve café goers in zürich paid 3.50 chf at 4 00 1,000 of them in the 1990s e g this" in lines
    assert "urls https example com a_b c d x 1 y 2.5 frag and mail host org v1.2.3 rc 4 1.5 kg 2,000 th" in lines
    assert lines[lines.index("mr smith left") + 2:lines.index("mr smith left") + 4] == ["他 说 好", "然 后 走 了"]
    assert "abc123 def 3.14 and カ タ カ ナ and ⺀ radicals" in lines and "हिन्दी भाषा" in lines
    assert "upper case mixed o'neil's 3.14 abc new_york __init__" in lines


def test_gensim_counts_the_same_sentences(own_cache, mixed):
    from gensim.models import Word2Vec

    cf = corpus_file(open_corpus(mixed, segment="char"))
    m = Word2Vec(vector_size=4, min_count=1, workers=1)
    m.build_vocab(corpus_file=str(cf.path))
    assert m.corpus_count == cf.examples and m.corpus_total_words == cf.tokens
    assert {w: m.wv.get_vecattr(w, "count") for w in m.wv.index_to_key} == cf.counts


def test_a_second_run_reuses_the_copy_without_hashing_the_text(own_cache, mixed, monkeypatch):
    first = corpus_file(open_corpus(mixed, segment="char"))
    calls = []
    real = Corpus.fingerprint
    monkeypatch.setattr(Corpus, "fingerprint", lambda self: calls.append(1) or real(self))
    again = corpus_file(open_corpus(mixed, segment="char"))
    assert again.cached and again.path == first.path and calls == []  # sizes and times unchanged: no hash
    assert again.counts == first.counts and again.fingerprint == first.fingerprint
    # touched (same text, new time): hashed once, still the same copy, and fast again next time
    os.utime(mixed / "a.txt", ns=(1, 1))
    third = corpus_file(open_corpus(mixed, segment="char"))
    assert third.cached and third.path == first.path and calls == [1]
    assert corpus_file(open_corpus(mixed, segment="char")).cached and calls == [1]
    # other options: another copy; other text: another copy
    assert not corpus_file(open_corpus(mixed, lower=False, segment="char")).cached
    (mixed / "a.txt").write_text("Changed text. Other words.\n", encoding="utf-8")
    changed = corpus_file(open_corpus(mixed, segment="char"))
    assert not changed.cached and changed.path != first.path and "changed" in changed.counts


def test_a_damaged_copy_is_made_again(own_cache, mixed):
    first = corpus_file(open_corpus(mixed, segment="char"))
    first.path.with_suffix(".counts.json").write_text("{not json", encoding="utf-8")
    again = corpus_file(open_corpus(mixed, segment="char"))
    assert not again.cached and again.counts == first.counts
    with open(first.path, "ab") as f:
        f.write(b"more\n")
    assert not corpus_file(open_corpus(mixed, segment="char")).cached  # its size no longer matches


def test_only_the_most_recent_copies_are_kept(own_cache, tmp_path):
    for i in range(KEEP_CACHED + 2):
        p = tmp_path / f"c{i}.txt"
        p.write_text(f"text number {i}.\n", encoding="utf-8")
        corpus_file(open_corpus(p))
    left = tokenised_corpora()
    assert len(left) == KEEP_CACHED and left[0].corpus == f"c{KEEP_CACHED + 1}"
    assert len(list((own_cache / "corpora").iterdir())) == 3 * KEEP_CACHED


def test_no_words_is_one_corpus_error(own_cache, tmp_path):
    p = tmp_path / "punct.txt"
    p.write_text("... — !!! 。\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no words"):
        corpus_file(open_corpus(p))
    assert not list((own_cache / "corpora").glob("*.txt"))


def test_the_cache_lists_and_frees_tokenised_corpora(own_cache, mixed, tmp_path):
    cf = corpus_file(open_corpus(mixed, segment="char"))
    other = tmp_path / "other.txt"
    other.write_text("Another text. With words.\n", encoding="utf-8")
    corpus_file(open_corpus(other))
    listing = cached()
    assert [t.corpus for t in listing.corpora] == ["other", "mixed"]
    t = listing.corpora[1]
    assert t.tokens == cf.tokens and t.words == len(cf.counts) and t.path == str(cf.path)
    assert t.size == sum(p.stat().st_size for p in (own_cache / "corpora").glob(f"{cf.path.stem}*"))
    assert [c.name for c in cached([t.name]).corpora] == [t.name]
    done = free([t.name])
    assert done.freed == [t.name] and done.bytes == t.size
    assert not list((own_cache / "corpora").glob(f"{cf.path.stem}*"))
    assert [c.corpus for c in cached().corpora] == ["other"]
    assert free(["corpora"]).freed == ["corpora"] and cached().corpora == []


def test_the_training_names_its_tokenised_copy(own_cache, mixed):
    r = train_word2vec(mixed, name="m", dim=8, epochs=1, workers=1, min_count=1, segment="char")
    assert r.tokenised_path.endswith(".txt") and os.path.isfile(r.tokenised_path) and not r.tokenised_cached
    assert r.tokenised_bytes == os.path.getsize(r.tokenised_path)
    assert r.space.meta["corpus"]["fingerprint"] == open_corpus(mixed, segment="char").fingerprint()
    again = ok(["train", "word2vec", str(mixed), "--name", "m", "--force", "--dim", "8", "--epochs", "1",
                "--min-count", "1", "--workers", "1", "--segment", "char", "--json"]).stdout
    got = json.loads(again)
    assert got["tokenised_cached"] is True and got["tokenised_path"] == r.tokenised_path
    out = ok(["train", "word2vec", str(mixed), "--name", "m", "--force", "--dim", "8", "--epochs", "1",
              "--min-count", "1", "--workers", "1", "--segment", "char"], env={"COLUMNS": "200"}).stdout
    said = " ".join(out.split())
    assert f"tokenised copy in the cache: corpora/{os.path.basename(r.tokenised_path)[:-4]} (" in said
    assert "MB, reused, not tokenised again); vecs cache lists it, vecs cache --free corpora frees it" in said


@pytest.mark.real
def test_sotu_is_tokenised_exactly_as_before(own_cache):
    cf = corpus_file(open_corpus("sotu"))
    text, counts, examples, used = reference(open_corpus("sotu"))
    assert cf.tokens > 2_000_000 and cf.path.read_text(encoding="utf-8") == text
    assert list(cf.counts.items()) == list(counts.items()) and cf.examples == examples and cf.segmented == used
