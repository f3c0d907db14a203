"""Hugging Face folders (vecs.contextual.hf): a folder a user got elsewhere never runs code —
custom code is refused with one line before transformers reads the folder, transformers is
never allowed to trust remote code (so it never asks on stdin), and whatever transformers
raises while loading becomes one FormatError naming the folder."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.helpers import fails
from vecs.errors import FormatError

pytest.importorskip("transformers")
pytest.importorskip("torch")

BERT = {"model_type": "bert", "architectures": ["BertModel"], "hidden_size": 8, "num_hidden_layers": 1,
        "num_attention_heads": 2, "intermediate_size": 16, "vocab_size": 10, "max_position_embeddings": 16}


def folder(tmp_path: Path, config: dict, files: dict[str, str | bytes] | None = None, name: str = "evil") -> Path:
    """A model folder with ``config`` as config.json, a (fake) safetensors file and ``files``."""
    d = tmp_path / name
    d.mkdir()
    (d / "config.json").write_text(json.dumps(config))
    (d / "weights.safetensors").write_bytes(b"\0" * 16)
    for rel, content in (files or {}).items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content) if isinstance(content, bytes) else p.write_text(content)
    return d


def evil_code(marker: Path) -> str:
    return (f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
            "from transformers import PretrainedConfig\n"
            "class EvilConfig(PretrainedConfig):\n    model_type = 'evilnet'\n")


def evil_folder(tmp_path: Path, marker: Path) -> Path:
    config = {"model_type": "evilnet", "architectures": ["EvilModel"], "hidden_size": 8, "num_hidden_layers": 1,
              "auto_map": {"AutoConfig": "configuration_evil.EvilConfig", "AutoModel": "modeling_evil.EvilModel"}}
    return folder(tmp_path, config, {"configuration_evil.py": evil_code(marker),
                                     "modeling_evil.py": evil_code(marker)})


def load(path: Path):
    from vecs.contextual.hf import HFModel

    return HFModel(path)


def test_custom_code_folder_never_runs_even_when_stdin_says_yes(tmp_path):
    marker = tmp_path / "MARKER"
    evil = evil_folder(tmp_path, marker)
    msg = fails(["context", "bank", "the bank is closed", "the river bank", "--model", str(evil)], input="y\n")
    assert not marker.exists()
    assert "evil" in msg and "code" in msg


def test_transformers_is_never_allowed_to_trust_remote_code(tmp_path, monkeypatch):
    # with the folder check switched off, transformers itself must still refuse (and not prompt)
    import vecs.contextual.hf as hf

    marker = tmp_path / "MARKER"
    evil = evil_folder(tmp_path, marker)
    monkeypatch.setattr(hf, "refuse_custom_code", lambda path: {})
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\ny\ny\n"))
    with pytest.raises(FormatError) as e:
        load(evil)
    assert not marker.exists()
    assert str(evil) in str(e.value) and "\n" not in str(e.value)
    assert sys.stdin.read() == "y\ny\ny\n"  # nobody asked


def test_refuses_python_files_beside_a_known_config(tmp_path):
    marker = tmp_path / "MARKER"
    d = folder(tmp_path, BERT, {"modeling_bert.py": evil_code(marker)})
    with pytest.raises(FormatError, match=r"holds code \(modeling_bert.py\)"):
        load(d)
    assert not marker.exists()


def test_refuses_auto_map_in_config_or_tokenizer_config(tmp_path):
    d = folder(tmp_path, {**BERT, "auto_map": {"AutoModel": "x.Y"}}, name="a")
    with pytest.raises(FormatError, match="auto_map in config.json"):
        load(d)
    d = folder(tmp_path, BERT, {"tokenizer_config.json": json.dumps({"auto_map": {"AutoTokenizer": ["t.T", None]}})},
               name="b")
    with pytest.raises(FormatError, match="auto_map in tokenizer_config.json"):
        load(d)


def test_refuses_a_model_type_transformers_does_not_know(tmp_path):
    d = folder(tmp_path, {**BERT, "model_type": "evilnet"}, name="a")
    with pytest.raises(FormatError, match="model_type 'evilnet', which transformers does not know"):
        load(d)
    d = folder(tmp_path, {k: v for k, v in BERT.items() if k != "model_type"}, name="b")
    with pytest.raises(FormatError, match="no model_type"):
        load(d)


def test_transformers_loading_errors_become_one_line_naming_the_folder(tmp_path):
    # a known architecture with garbage weights: transformers/safetensors raise, we say one line
    d = folder(tmp_path, BERT, name="garbage")
    with pytest.raises(FormatError) as e:
        load(d)
    assert str(d) in str(e.value) and "cannot load the checkpoint" in str(e.value) and "\n" not in str(e.value)
    msg = fails(["context", "bank", "the bank is closed", "the river bank", "--model", str(d)])
    assert "garbage" in msg


def test_unreadable_config_is_one_line(tmp_path):
    d = folder(tmp_path, BERT, name="broken")
    (d / "config.json").write_text("{not json")
    with pytest.raises(FormatError, match="config.json is unreadable"):
        load(d)
    (d / "config.json").write_text("[1, 2]")
    with pytest.raises(FormatError, match="not a JSON object"):
        load(d)
