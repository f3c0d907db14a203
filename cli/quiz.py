"""`vecs quiz`: analogy quizzes against (or judged by) a model.

The library (:mod:`vecs.quiz`) draws the questions, grades and keeps the score; this module only
shows questions and reads answers — from the keyboard, from piped stdin or from ``--answers FILE``
(one answer per line; ``hint`` asks for the model's top five). Ctrl-C or the end of the input ends
the quiz with the summary so far."""

from __future__ import annotations

import sys
from typing import Annotated, Literal, Optional

import typer

from cli.options import DEFAULT_MODEL, LENS_MODEL, JsonOpt, load_space, progress
from cli.render import Markup, console, emit_json, err, table
from vecs.errors import QuizError

NEXT_WORD_CORPUS = "sotu"


def _reader(answers: str | None):
    """A function ``ask() -> str`` raising EOFError at the end of the answers, and whether the
    answers should be echoed (they are not typed on a terminal)."""
    if answers is not None:
        from vecs.quiz.session import read_answers

        it = iter(read_answers(answers))

        def from_file() -> str:
            try:
                return next(it)
            except StopIteration:
                raise EOFError from None

        return from_file, True
    echo = not (hasattr(sys.stdin, "isatty") and sys.stdin.isatty())
    return (lambda: input()), echo


def _mark(ok: bool | None) -> str:
    return Markup("[green]✓[/]") if ok else Markup("[red]✗[/]")


def _rank(rec) -> str:
    return f"#{rec.expected_rank:,}" if rec.expected_rank else "–"


def _model_line(rec, versus: bool) -> str:
    from rich.markup import escape

    ans = escape(rec.model_answer or "(nothing)")
    head = "model" if not versus else "model answered"
    return (f"  {head}: [bold]{ans}[/] {_mark(rec.model_correct)}  "
            f"({escape(rec.expected)} ranks {_rank(rec)} in its list)")


def _play(session, out, ask, echo: bool) -> bool:
    """Ask every question; returns True when the quiz was cut short (Ctrl-C, end of input)."""
    from rich.markup import escape

    total = len(session.questions)
    versus = session.mode == "versus"
    you_pts = model_pts = 0
    try:
        for i, q in enumerate(session.questions, 1):
            if session.mode == "model":
                session.play_model(q)
                continue
            out.print(f"[dim]{i}/{total} · {escape(q.section)}[/]")
            while True:
                out.print(f"[bold]{escape(q.prompt)}[/] ", end="")
                text = ask()
                if echo:
                    out.print(escape(text), highlight=False)
                if text.strip().casefold() == "hint":
                    top = session.hint(q)
                    out.print("  hint — the model's top 5: " + ", ".join(escape(w) for w in top))
                    continue
                break
            rec, g = session.answer(q, text)
            if g.correct:
                msg = "  [green]✓ right[/]"
                if g.typo:
                    msg += f" — accepted as a typo: you wrote {escape(g.answer)!s}, it is spelt [bold]{escape(q.d)}[/]"
            else:
                msg = f"  [red]✗ wrong[/] — the answer is [bold]{escape(q.d)}[/]"
                if g.reason:
                    msg += f" ({escape(g.reason)}, not a typo)"
            out.print(msg)
            out.print(_model_line(rec, versus))
            if versus:
                you_pts += bool(rec.correct)
                model_pts += bool(rec.model_correct)
                out.print(f"  [dim]score: you {you_pts} – model {model_pts}[/]")
    except (KeyboardInterrupt, EOFError):
        out.print("")
        out.print("[yellow]quiz ended early[/] — the summary so far:")
        return True
    return False


def _show_summary(s, out) -> None:
    if s.mode == "model":
        rows = [[r.number, r.section, f"{r.a} : {r.b} :: {r.c} : ?", r.expected, r.model_answer or "–",
                 "✓" if r.model_correct else "✗", _rank(r)] for r in s.records]
        out.print(table(f"Answer key: {s.model} on {s.dataset}",
                        ["#", "section", "question", "answer", "model", "", "answer's rank"], rows))
    else:
        rows = []
        for r in s.records:
            you = (r.answer or "") + (" (typo)" if r.typo else "")
            row = [r.number, f"{r.a} : {r.b} :: {r.c} : ?", r.expected, you, "✓" if r.correct else "✗"]
            row += [r.model_answer or "–", "✓" if r.model_correct else "✗", _rank(r)]
            rows.append(row)
        if rows:
            out.print(table("Answers", ["#", "question", "answer", "you", "", "model", "", "answer's rank"], rows))
    cap = (f"{s.asked} of {s.planned} questions asked · seed {s.seed} · {s.skipped:,} questions skipped "
           f"(a word unknown to the model)" + (" · interrupted" if s.interrupted else ""))
    _score_table(s, out, cap)
    if s.sections:
        cols = ["section", "questions"] + (["you"] if s.you is not None else []) + ["model"]
        rows = [[x.section, x.questions] + ([x.you] if s.you is not None else []) + [x.model] for x in s.sections]
        out.print(table("Per section", cols, rows))


def _score_table(s, out, caption: str) -> None:
    players = []
    if s.you is not None:
        players.append(["you", s.you])
    if s.model_score is not None:
        players.append([s.model or "model", s.model_score])
    out.print(table("Score", ["player", "correct", "answered", "accuracy", "longest streak", "typos", "hints"],
                    [[n, p.correct, p.answered, f"{100 * p.accuracy:.0f}%", p.longest_streak,
                      p.typos if n == "you" else None, p.hints if n == "you" else None] for n, p in players],
                    caption=caption))


def _show_history(as_json: bool) -> None:
    from vecs.quiz.history import read_history

    h = read_history()
    if as_json:
        return emit_json(h)
    if not h.sessions:
        console.print(f"no quiz yet (history: {h.path})")
        return

    def score(d):
        return f"{d['correct']}/{d['answered']}" if isinstance(d, dict) else None

    rows = [[d.get("started", "")[:16].replace("T", " "), d.get("mode"), d.get("dataset"), d.get("section") or "all",
             d.get("model"), score(d.get("you")), score(d.get("model_score")),
             (d.get("you") or d.get("model_score") or {}).get("longest_streak"), str(d.get("seed")),
             bool(d.get("interrupted"))] for d in h.sessions]
    cap = f"{h.path}" + (f" · {h.unreadable} unreadable line(s) skipped" if h.unreadable else "")
    console.print(table("Quiz history", ["when (UTC)", "mode", "dataset", "section", "model", "you", "model score",
                                         "streak", "seed", "interrupted"], rows, caption=cap))


def _show_sections(qset, model: str, as_json: bool) -> None:
    if as_json:
        return emit_json(qset.sections)
    rows = [[c.section, c.questions, c.usable] for c in qset.sections]
    console.print(table(f"Sections of {qset.dataset}", ["section", "questions", f"usable with {model}"], rows,
                        caption="usable: the model knows all four words"))


def quiz(
    dataset: Annotated[Optional[str], typer.Option(
        "--dataset", "-d", help="google (the default), msr, zh-analogy-dev (Chinese, with -m zh-vectors), or a file in the Google format (': section' lines, "
                                "then 'a b c d' lines).")] = None,
    section: Annotated[Optional[str], typer.Option("--section", help="Only this section (a unique prefix will do); "
                                                                     "see --sections.")] = None,
    questions: Annotated[int, typer.Option("--questions", "-q", min=1, help="How many questions.")] = 10,
    mode: Annotated[Literal["you", "model", "versus", "next-word"], typer.Option(
        "--mode", help="you: you answer; model: the model answers (an answer key); versus: both; next-word: guess "
                       "the next word of a sentence against a language model.")] = "you",
    model: Annotated[Optional[str], typer.Option(
        "--model", "-m", help=f"The model: word vectors ({DEFAULT_MODEL}, the default) for analogies; a causal "
                              f"language model ({LENS_MODEL}, the default, gemma3 or one of our trained "
                              "transformers) for --mode next-word.")] = None,
    corpus: Annotated[Optional[str], typer.Option(
        "--corpus", "-c", help=f"--mode next-word: the sentences (a named corpus, a file or a folder; default "
                               f"{NEXT_WORD_CORPUS}).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Draw the same questions every time.")] = None,
    answers: Annotated[Optional[str], typer.Option("--answers", metavar="FILE",
                                                   help="Read the answers from a file, one per line.")] = None,
    as_json: JsonOpt = False,
    history: Annotated[bool, typer.Option("--history", help="Show past quizzes and exit.")] = False,
    sections: Annotated[bool, typer.Option("--sections", help="List the sections of the dataset and exit.")] = False,
):
    """An analogy quiz: father : mother :: king : ?

    Type the answer (case does not matter; a one-letter typo is accepted and pointed out),
    [bold]hint[/] for the model's top five. Answers may come from stdin or --answers FILE.
    Ctrl-C ends the quiz with the summary so far; every quiz is recorded (--history).

    --mode next-word: a sentence is cut before a word; guess the word, and see where your guess
    ranks among the language model's predictions, next to its own top five (you against the model).
    """
    from vecs.quiz.history import record
    from vecs.quiz.questions import load_questions
    from vecs.quiz.session import Session

    if history:
        return _show_history(as_json)
    if mode == "next-word":
        if dataset is not None or section is not None or sections:
            raise QuizError("--dataset, --section and --sections are for the analogy quiz; --mode next-word takes "
                            "its sentences from -c CORPUS")
        return _next_word(model or LENS_MODEL, corpus or NEXT_WORD_CORPUS, questions, seed, answers, as_json)
    if corpus is not None:
        raise QuizError("-c/--corpus is for --mode next-word (the analogy quiz takes -d DATASET)")
    model = model or DEFAULT_MODEL
    dataset = dataset or "google"
    space = load_space(model)
    qset = load_questions(space, dataset, section if not sections else None)
    if sections:
        return _show_sections(qset, space.name, as_json)
    ask, echo = _reader(answers)
    session = Session(space, qset, n=questions, mode=mode, seed=seed)
    out = err if as_json else console
    what = f"section {qset.section}" if qset.section else qset.dataset
    out.print(f"[bold]{len(session.questions)} question(s)[/] from {what}, model {space.name}, seed {session.seed}; "
              f"{qset.skipped:,} of {qset.total:,} question(s) skipped (a word {space.name} does not know)",
              )
    if qset.sections_note():
        from rich.markup import escape

        out.print(escape(qset.sections_note()))
    if mode != "model":
        out.print("[dim]type the missing word; 'hint' shows the model's top 5; Ctrl-C ends the quiz[/]")
    interrupted = _play(session, out, ask, echo)
    summary = session.summary(interrupted=interrupted)
    path = record(summary)
    if as_json:
        return emit_json(summary)
    _show_summary(summary, out)
    out.print(f"[dim]recorded in {path}[/]")


# --------------------------------------------------------------------------------------------
# --mode next-word
# --------------------------------------------------------------------------------------------
def _p(x: float | None) -> str:
    from cli.lens import prob

    return "–" if x is None else prob(x)


def _placed(g, model: str) -> str:
    """``·jobs: #12 in smollm2 (p 0.02)``, or why the word has no place."""
    from rich.markup import escape

    if g.rank is None:
        return f"{escape(g.word)}: no rank ({escape(g.note)})"
    line = f"[bold]{escape(g.token)}[/]: #{g.rank:,} in {escape(model)} (p {_p(g.probability)})"
    return line + (f" [dim]— {escape(g.note)}[/]" if g.note else "")


def _next_word_round(session, rec, out, pts: list[int]) -> None:
    from rich.markup import escape

    m = session.model.name
    goes_on = f"the text goes on: [italic]{escape(rec.expected + rec.rest)}[/]"
    if rec.correct:
        out.print(f"  [green]✓ right[/] — {goes_on}")
    else:
        out.print(f"  [red]✗[/] the next word was [bold]{escape(rec.expected)}[/] — {goes_on}")
    if rec.guess is not None:
        out.print(f"  your word   {_placed(rec.guess, m)}")
    out.print(f"  the real one {_placed(rec.truth, m)}")
    top = "  ".join(f"{escape(t)} {_p(p)}" for t, p in zip(rec.model_top, rec.model_top_probabilities))
    out.print(f"  {escape(m)}'s top 5: {top} {_mark(rec.model_correct)}")
    pts[0] += bool(rec.correct)
    pts[1] += bool(rec.model_correct)
    out.print(f"  [dim]score: you {pts[0]} – {escape(m)} {pts[1]}[/]")


def _play_next_word(session, out, ask, echo: bool) -> bool:
    """Ask every sentence; returns True when the quiz was cut short (Ctrl-C, end of input)."""
    from rich.markup import escape

    total, pts = len(session.questions), [0, 0]
    try:
        for i, q in enumerate(session.questions, 1):
            out.print(f"[dim]{i}/{total} · {escape(session.corpus)}[/]")
            while True:
                out.print(f"[bold]{escape(q.prompt)}[/] … ", end="", soft_wrap=True)
                text = ask()
                if echo:
                    out.print(escape(text), highlight=False)
                if text.strip().casefold() == "hint":
                    out.print("  hint — the model's top 5: " + "  ".join(escape(t) for t in session.hint(q)))
                    continue
                break
            rec, _ = session.answer(q, text)
            _next_word_round(session, rec, out, pts)
    except (KeyboardInterrupt, EOFError):
        out.print("")
        out.print("[yellow]quiz ended early[/] — the summary so far:")
        return True
    return False


def _show_next_word(s, out) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from vecs.quiz.next_word import VERSUS_RULE

    if s.records:
        t = Table(title="Answers", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for h, wrap in (("#", False), ("next word", True), ("you", True), ("your rank", False), ("model", True),
                        ("word's rank", False)):
            t.add_column(h, justify="left" if wrap else "right", no_wrap=not wrap, overflow="fold")
        for r in s.records:
            you = escape(r.answer or "–") + (" ✓" if r.correct else "")
            rank = f"#{r.guess.rank:,}" if r.guess is not None and r.guess.rank is not None else "–"
            t.add_row(str(r.number), escape(r.expected), you, rank,
                      escape(r.model_answer) + (" ✓" if r.model_correct else ""), f"#{r.truth.rank:,}"
                      if r.truth.rank is not None else "–")
        out.print(t)
    cap = (f"{s.asked} of {s.planned} sentences asked · {s.dataset} · seed {s.seed}"
           + (" · interrupted" if s.interrupted else ""))
    _score_table(s, out, cap)
    out.print(f"versus: {escape(VERSUS_RULE)}; rank: among all the model's tokens (1 = its top guess)",
              )


def _next_word(model: str, corpus: str, n: int, seed, answers, as_json: bool) -> None:
    from vecs.quiz.history import record
    from vecs.quiz.next_word import VERSUS_RULE, NextWordSession

    ask, echo = _reader(answers)
    with progress() as bars:
        session = NextWordSession(model, corpus, n=n, seed=seed, progress=bars)
    out = err if as_json else console
    out.print(f"[bold]{len(session.questions)} sentence(s)[/] from {session.corpus}, model {session.model.name}, "
              f"seed {session.seed}")
    out.print(f"[dim]type the next word; 'hint' shows the model's top 5; Ctrl-C ends the quiz. "
              f"Versus: {VERSUS_RULE}[/]")
    interrupted = _play_next_word(session, out, ask, echo)
    summary = session.summary(interrupted=interrupted)
    path = record(summary)
    if as_json:
        return emit_json(summary)
    _show_next_word(summary, out)
    out.print(f"[dim]recorded in {path}[/]")


def register(app: typer.Typer) -> None:
    app.command("quiz", rich_help_panel="Query")(quiz)
