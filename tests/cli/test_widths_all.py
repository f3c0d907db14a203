"""Every command that prints a table fits 60 and 80 columns: no line wider than the terminal, and
no number or name the user must read or type cut by an ellipsis (``check_fits`` of test_widths).
Run on small inputs that need no download: a tiny stored space with long words, small files
written by the test, the lee corpus, and a tiny GPT put in place of the model (``-m tiny``);
the contextual encoders (minilm) in the real tests."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.test_widths import check_fits
from helpers import ok

from vecs import Space
from vecs.io import store

WIDTHS = [60, 80]
MODEL = "toy-vectors-with-a-long-name-2026"
LONG = ["man", "woman", "king", "queen", "he", "she", "his", "her", "apple", "banana", "car",
        "extraordinarily", "incomprehensible", "notwithstanding", "circumlocution", "characteristically",
        "uncharacteristic", "doctor", "nurse", "engineer", "homemaker", "programmer", "receptionist"]
GPT_WORDS = ["<unk>", "<eos>", "extraordinarily", "incomprehensible", "notwithstanding", "circumlocution",
             "the", "a", "of", "on", "by", "is", "we", "characteristically", "uncharacteristic", "bank",
             "money", "river"]
PROMPT = "we extraordinarily on the circumlocution of notwithstanding a bank by"


def _space() -> Space:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(len(LONG), 12)).astype(np.float32)
    v[LONG.index("queen")] = v[LONG.index("king")] - v[LONG.index("man")] + v[LONG.index("woman")]
    return Space(LONG, v, name=MODEL)


def _files(tmp_path):
    (tmp_path / "analogies.txt").write_text(": a-rather-long-section-name-for-families\nman woman king queen\n"
                                            "he she his her\n: extraordinarily-long-section-about-jobs\n"
                                            "man woman doctor nurse\nhe she engineer homemaker\n")
    (tmp_path / "pairs.tsv").write_text("king\tqueen\t8.5\nman\twoman\t8.3\ndoctor\tnurse\t7.0\n"
                                        "apple\tbanana\t7.5\ncar\textraordinarily\t0.5\nhe\tshe\t9.0\n")
    (tmp_path / "gender.txt").write_text("she he\nher his\nwoman man\nqueen king\n")
    rng = np.random.default_rng(1)
    words = ["the", "cat", "dog", "sees", "likes", "mouse", "garden", "extraordinarily", "incomprehensible"]
    (tmp_path / "corpus.txt").write_text("\n".join(" ".join(rng.choice(words, 8)) for _ in range(200)) + "\n")


# name -> (needs, args); needs: "store" (the tiny space stored), "gpt" (the tiny GPT as -m tiny), "history"
CASES: dict[str, tuple[str, list[str]]] = {
    "neighbours": ("store", ["neighbours", "king", "-m", MODEL]),
    "neighbours-expr": ("store", ["neighbours", "king - man + woman", "-m", MODEL]),
    "analogy": ("store", ["analogy", "man", "king", "woman", "-m", MODEL]),
    "calc": ("store", ["calc", "king - man + extraordinarily", "-m", MODEL]),
    "similarity": ("store", ["similarity", "king", "queen", "incomprehensible", "circumlocution", "-m", MODEL]),
    "odd-one-out": ("store", ["odd-one-out", "king", "queen", "man", "extraordinarily", "-m", MODEL]),
    "models": ("store", ["models"]),
    "export": ("store", ["export", MODEL, "{tmp}/out.txt"]),
    "import": ("store", ["import", "{tmp}/in.txt", "--name", "imported-vectors-with-a-long-name"]),
    "corpus-list": ("", ["corpus", "list"]),
    "corpus-show-lee": ("", ["corpus", "show", "lee"]),
    "corpus-show-file": ("", ["corpus", "show", "{tmp}/corpus.txt"]),
    "train-word2vec": ("", ["train", "word2vec", "{tmp}/corpus.txt", "--name", "w2v-trained-with-a-long-name",
                            "--dim", "8", "--epochs", "1", "--min-count", "1", "--workers", "1"]),
    "eval-analogies": ("store", ["eval", "analogies", "-d", "{tmp}/analogies.txt", "-m", MODEL, "--mistakes", "3"]),
    "eval-similarity": ("store", ["eval", "similarity", "-d", "{tmp}/pairs.tsv", "-m", MODEL]),
    "bias-direction": ("store", ["bias", "direction", "--pairs", "{tmp}/gender.txt", "-m", MODEL]),
    "bias-project": ("store", ["bias", "project", "doctor", "nurse", "engineer", "homemaker", "programmer",
                               "receptionist", "characteristically", "--pairs", "{tmp}/gender.txt", "-m", MODEL]),
    "quiz-history": ("history", ["quiz", "--history"]),
    "cache": ("", ["cache"]),
    "get-list": ("", ["get", "--list"]),
    "lens": ("gpt", ["lens", PROMPT, "-m", "tiny"]),
    "lens-grid": ("gpt", ["lens", PROMPT, "--grid", "--target", "bank", "-m", "tiny"]),
    "ffn": ("gpt", ["ffn", PROMPT, "-t", "bank", "-m", "tiny"]),
    "attention": ("gpt", ["attention", PROMPT, "-m", "tiny", "-l", "1"]),
    "attention-all": ("gpt", ["attention", PROMPT, "-m", "tiny", "-l", "all"]),
    "generate": ("gpt", ["generate", "the", "-m", "tiny", "--temperature", "0", "--max-tokens", "4"]),
    "ablate": ("gpt", ["ablate", PROMPT, "-t", "money", "-m", "tiny"]),
    "patch": ("gpt", ["patch", "the bank is", "the river is", "-t", "money", "-m", "tiny"]),
    "steer": ("gpt", ["steer", "we sat on the river", "--add", "the money is@1", "-t", "money", "-m", "tiny"]),
}

# commands that fail the check today: name -> why (xfail strict; the lead fixes the command)
BROKEN: dict[str, str] = {}  # commands whose output does not fit yet (none)


def _params():
    for name in CASES:
        for w in WIDTHS:
            marks = [pytest.mark.xfail(strict=True, reason=BROKEN[name])] if name in BROKEN else []
            yield pytest.param(name, w, id=f"{name}-{w}", marks=marks)


@pytest.mark.parametrize("name,width", list(_params()))
def test_every_table_fits_and_cuts_no_number_or_name(name, width, tmp_path, vecs_home, monkeypatch):
    needs, args = CASES[name]
    _files(tmp_path)
    if needs == "store":
        store.save(_space(), MODEL)
        if name == "import":
            from vecs.io.write import write_vectors

            write_vectors(_space(), tmp_path / "in.txt", format="word2vec")
    if needs == "gpt":
        pytest.importorskip("torch")
        from inside.conftest import make_gpt

        from vecs.contextual.load import LOADED

        monkeypatch.setitem(LOADED, "tiny", make_gpt(n_layer=4, words=GPT_WORDS))
    if needs == "history":
        vecs_home.mkdir(parents=True, exist_ok=True)
        line = {"started": "2026-12-01T18:00:00", "mode": "versus", "dataset": "google",
                "section": "capital-common-countries", "model": MODEL,
                "you": {"correct": 7, "answered": 10, "longest_streak": 4},
                "model_score": {"correct": 9, "answered": 10, "longest_streak": 6}, "seed": 123456789}
        (vecs_home / "quiz-history.jsonl").write_text(json.dumps(line) + "\n")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    out = ok(args, env={"COLUMNS": str(width)}).stdout
    assert out.strip(), name
    check_fits(out.replace(str(tmp_path), "/tmp/t"), width)  # the test's long temporary path is no user's path


real = pytest.mark.real
REAL = {
    "context": ["context", "bank", "I deposited my salary at the bank.", "We sat on the muddy bank of the river.",
                "The bank approved our mortgage.", "-m", "minilm", "--layer", "all"],
    "senses": ["senses", "bank", "-m", "minilm", "--group", "money", "I paid at the bank.", "The bank lent money.",
               "--group", "river", "We sat on the bank.", "The bank flooded."],
}


@real
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(REAL))
def test_contextual_tables_fit_and_cut_no_number(name, width):
    out = ok(REAL[name], env={"COLUMNS": str(width)}).stdout
    assert out.strip()
    check_fits(out, width)
