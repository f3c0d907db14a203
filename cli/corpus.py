"""`vecs corpus`: the named corpora, and counts over any corpus (named, file or folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.options import JsonOpt, progress
from cli.render import Markup, console, emit_json, err, table

SegmentOpt = Annotated[Optional[str], typer.Option(
    "--segment", metavar="auto|space|jieba|char",
    help="How words are cut: auto (by script: Chinese and Japanese with jieba when installed, else "
         "character by character; other text between spaces and punctuation), space, jieba or char. "
         "Default: the corpus recipe's, else auto.")]
UserDictOpt = Annotated[Optional[Path], typer.Option(
    "--user-dict", metavar="FILE", help="A jieba user dictionary: lines of 'word \\[freq] \\[tag]' (freq 0: never "
                                        "keep this word whole).")]


def segment_note(note: str) -> None:
    """The segmenter's one-line note (jieba missing), on stderr."""
    if note:
        err.print(f"note: {note}", markup=False, soft_wrap=True)


corpus_app = typer.Typer(help="Corpora: list the named ones, count words in any.", no_args_is_help=True)


@corpus_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """The named corpora (recipes): what, how big, licence, installed."""
    from vecs.corpus.reader import corpus_listing

    items = corpus_listing()
    if as_json:
        emit_json(items)
        return
    rows = [[i.name, i.words, Markup("[green]yes[/]") if i.installed else "no", i.licence, i.title] for i in items]
    console.print(table("Corpora", ["name", "words", "installed", "licence", "what"], rows))
    console.print("Count words with: vecs corpus show NAME|PATH   Train with: vecs train word2vec NAME --name MODEL")


@corpus_app.command("show")
def show(
    spec: Annotated[str, typer.Argument(metavar="NAME|PATH", help="A named corpus, a text file (.gz/.bz2/.xz too) "
                                                                  "or a folder of .txt files.")],
    top: Annotated[int, typer.Option("--top", "-k", min=0, help="How many of the most frequent words to show.")] = 20,
    keep_case: Annotated[bool, typer.Option("--keep-case", help="Do not lower-case.")] = False,
    phrases: Annotated[bool, typer.Option("--phrases", help="Join frequent word pairs (new_york).")] = False,
    segment: SegmentOpt = None,
    user_dict: UserDictOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Documents, sentences, tokens, vocabulary size and the most frequent words of a corpus."""
    from vecs.corpus.stats import corpus_stats

    with progress() as bars:
        stats = corpus_stats(spec, top=top, progress=bars, lower=not keep_case, phrases=phrases, segment=segment,
                             user_dict=user_dict)
    segment_note(stats.note)
    if as_json:
        emit_json(stats)
        return
    console.print(table(f"Corpus {stats.name}", ["", "count"], [
        ["files", stats.files], ["documents", stats.documents], ["sentences", stats.sentences],
        ["tokens", stats.tokens], ["vocabulary", stats.vocabulary]], caption=stats.source))
    if stats.top:
        console.print(table("Most frequent words", ["rank", "word", "count", "share"],
                            [[i + 1, w.word, w.count, f"{100 * w.count / stats.tokens:.2f}%"]
                             for i, w in enumerate(stats.top)]))


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")
