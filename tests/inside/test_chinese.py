"""The explainers' Chinese prompts on Gemma 3: context decides what follows 输."""

from __future__ import annotations

import pytest

from vecs.inside.lens import logit_lens

pytestmark = pytest.mark.real

FOOTBALL = "这场足球比赛中，输"  # "in this football match, lose ..." -> 了 / 球 (lose the game)
SHEET = "我想在这个单元格中输"  # "I want to in this cell type ..." -> 入 (输入, to input)


def test_after_shu_the_football_context_wants_qiu_and_the_spreadsheet_wants_ru(gemma3):
    foot = logit_lens(gemma3, FOOTBALL, k=5, target="球", positions=[-1])
    sheet = logit_lens(gemma3, SHEET, k=5, target="入", positions=[-1])
    assert foot.tokens[1:] == ["这场", "足球", "比赛", "中", "，", "输"]  # whole words, not byte pieces
    assert [g.shown for g in foot.final[:2]] == ["了", "球"]  # measured: 了 0.189, 球 0.179
    assert foot.final[1].score == pytest.approx(0.179, abs=0.01)
    assert foot.tracks[0].final_rank == 2
    assert sheet.tracks[0].final_rank == 3  # measured: 数据 0.138, 出来 0.081, 入 0.078
    assert sheet.tracks[0].final_prob == pytest.approx(0.078, abs=0.01)
    # and the other way round: 球 is far down after the spreadsheet sentence, 入 after the match
    assert logit_lens(gemma3, SHEET, k=1, target="球", positions=[-1]).tracks[0].final_rank > 3
    assert logit_lens(gemma3, FOOTBALL, k=1, target="入", positions=[-1]).tracks[0].final_rank > 3
