"""`vecs shell`: a scripted session read from stdin (answers, an error that does not end it, a
model switch, quit), and the prompt_toolkit completer over the model's words."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.helpers import fails, ok
from vecs import Space


@pytest.fixture
def stored(toy):
    from vecs.io.store import save

    save(toy, "toy")
    save(Space(["x", "y", "z"], np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], dtype=np.float32)), "xyz")
    return toy


def test_scripted_session_answers_each_line(stored):
    r = ok(["shell", "-m", "toy"], input="neighbours king -k 2\nanalogy man king woman\nsimilarity apple banana\n"
                                        "odd-one-out apple banana car\n")
    assert "Nearest to king in toy" in r.stdout
    assert "queen ✓" not in r.stdout and "man : king :: woman : ?" in r.stdout and "│ 1 │ queen" in r.stdout
    assert "apple · banana:" in r.stdout and "odd one out: car" in r.stdout
    assert r.stderr == ""


def test_calc_takes_a_quoted_expression(stored):
    r = ok(["shell", "-m", "toy"], input='calc "king - man + woman" -k 1\n')
    assert "│ 1 │ queen" in r.stdout and "inputs (as if kept): king" in r.stdout


def test_an_error_is_one_line_and_the_session_goes_on(stored):
    r = ok(["shell", "-m", "toy"], input="neighbours kingg\nfrobnicate\nneighbours king -k 1\n")
    errors = r.stderr.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("error:") for e in errors)
    assert "unknown word 'kingg'" in errors[0] and "did you mean" in errors[0] and "unknown command" in errors[1]
    assert "Nearest to king" in r.stdout and "Traceback" not in r.stdout + r.stderr


def test_model_switch_answers_from_the_new_model(stored):
    r = ok(["shell", "-m", "toy"], input="model xyz\nneighbours x -k 1\nmodel nothere\nneighbours y -k 1\n")
    assert "now answering: xyz (3 words × 3 dims)" in r.stdout
    assert "Nearest to x in xyz" in r.stdout and "Nearest to y in xyz" in r.stdout  # a failed switch keeps xyz
    assert r.stderr.count("error:") == 1


def test_quit_ends_the_session(stored):
    r = ok(["shell", "-m", "toy"], input="similarity man woman\nquit\nneighbours king\n")
    assert "man · woman" in r.stdout and "Nearest to king" not in r.stdout


def test_json_answers_one_object_per_line(stored):
    r = ok(["shell", "-m", "toy", "--json"], input="neighbours king -k 2\nsimilarity apple banana\n")
    first, second = (json.loads(line) for line in r.stdout.splitlines())
    assert first["query"] == "king" and len(first["results"]) == 2
    assert second["words"] == ["apple", "banana"] and second["model"] == "toy"


def test_json_per_line(stored):
    r = ok(["shell", "-m", "toy"], input="neighbours king -k 1 --json\n")
    assert json.loads(r.stdout)["query"] == "king"


def test_help_lists_the_commands(stored):
    r = ok(["shell", "-m", "toy"], input="help\n", env={"COLUMNS": "80"})
    for c in ("neighbours", "analogy", "calc", "similarity", "odd-one-out", "model", "quit"):
        assert c in r.stdout


def test_a_model_that_is_not_there_is_one_line():
    assert "nothere" in fails(["shell", "-m", "nothere"], input="")


def test_completer_offers_vocabulary_prefixes(toy):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from cli.shell import completer
    from vecs.static.session import Session

    c = completer(Session(toy))
    got = list(c.get_completions(Document("neighbours qu"), CompleteEvent(completion_requested=True)))
    assert [(x.text, x.start_position) for x in got] == [("queen", -2)]
    assert [x.text for x in c.get_completions(Document("anal"), CompleteEvent())] == ["analogy"]


def test_history_lives_under_vecs_home(vecs_home):
    from prompt_toolkit.history import FileHistory

    from cli.shell import history

    h = history()
    assert isinstance(h, FileHistory) and str(vecs_home) in str(h.filename)


def test_shell_help_does_not_load_prompt_toolkit():
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from cli.main import app; "
            "r = CliRunner().invoke(app, ['shell', '--help']); assert r.exit_code == 0, r.output; "
            "print('prompt_toolkit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.real
def test_glove_session_answers_cat():
    r = ok(["shell", "-m", "glove-6b-50d"], input="neighbours cat -k 3\nquit\n")
    assert "│ 1 │ dog" in r.stdout
