"""Word lists for the bias probes (vecs.bias.wordlists): files, named lists, and the errors."""

from __future__ import annotations

import pytest

from vecs.errors import DatasetError


def test_wordlist_files(tmp_path):
    from vecs.bias.wordlists import load_list, load_pairs

    (tmp_path / "w.txt").write_text("# comment\nnurse\n\nengineer\nnurse\n")
    assert load_list(str(tmp_path / "w.txt")) == ["nurse", "engineer"]
    (tmp_path / "p.txt").write_text("she he\nqueen,king\nwoman\tman\n")
    assert load_pairs(str(tmp_path / "p.txt")) == [("she", "he"), ("queen", "king"), ("woman", "man")]
    (tmp_path / "bad.txt").write_text("she he\nqueen\n")
    with pytest.raises(DatasetError, match="line 2"):
        load_pairs(str(tmp_path / "bad.txt"))
    (tmp_path / "two.txt").write_text("new york\n")
    with pytest.raises(DatasetError, match="one word per line"):
        load_list(str(tmp_path / "two.txt"))
    with pytest.raises(DatasetError, match="named lists"):
        load_list("no-such-list")
    with pytest.raises(DatasetError, match="did you mean 'professions'"):
        load_list("proffesions")
    with pytest.raises(DatasetError, match="did you mean 'definitional'"):
        load_pairs("definitonal")


def test_named_lists():
    from vecs.bias.wordlists import load_list, load_pairs

    assert load_pairs("definitional")[0] == ("woman", "man") and len(load_pairs("definitional")) == 10
    assert len(load_list("professions")) == 320
    neutral = load_list("neutral-professions")
    assert "nurse" in neutral and "actress" not in neutral


def test_words_or_list(tmp_path):
    from vecs.bias.wordlists import words_or_list

    (tmp_path / "w.txt").write_text("nurse\n")
    assert words_or_list(["nurse", "doctor"]) == ["nurse", "doctor"]
    assert words_or_list([str(tmp_path / "w.txt")]) == str(tmp_path / "w.txt")  # one file: its words
    assert words_or_list(["nurse"]) == ["nurse"]
    assert words_or_list(None, "neutral-professions") == "neutral-professions"
    assert words_or_list([]) == "professions"
    with pytest.raises(DatasetError, match="give words or --list, not both"):
        words_or_list(["nurse"], "professions")
