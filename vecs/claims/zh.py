"""中文讲解里的例子，逐条在真实的词向量和模型上检验 — the Chinese explainers' examples, each checked on
real vectors and a real model, narrated in Chinese, each verdict decided by the criterion printed
with it (the same rules as the English claims: "partly" and "not here" are answers too).

Vectors: ``zh-vectors`` (the cnsyn / PaddleNLP word vectors) and, where a claim is about training,
a word2vec trained here on ``peoples-daily`` (People's Daily, January 1998). Model: ``gemma3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vecs.claims.outcome import Outcome, judged

VECTORS = "zh-vectors"
LM = "gemma3"
FOOTBALL = "这场足球比赛中，输"
SHEET = "我想在这个单元格中输"
CAPITAL = "中国的首都是"

VERDICT_ZH = {"held": "成立", "partly": "部分成立", "not here": "这里不成立", "n/a": "无法检验"}


def _lacks(space, words) -> Outcome | None:
    miss = [w for w in words if w not in space]
    return Outcome(space.name, None, "词表里没有 " + "、".join(miss)) if miss else None


def willow(space) -> Outcome:
    from vecs.static.query import neighbours

    if (o := _lacks(space, ["杨柳"])) is not None:
        return o
    top = [x.word for x in neighbours(space, "杨柳", k=10).results]
    plant = [w for w in ("垂柳", "柳枝", "柳絮", "柳树", "柳条", "垂杨") if w in top]
    return judged(space.name, len(plant) >= 2, len(plant) == 1,
                  "近邻里的柳：" + ("、".join(f"{w} #{top.index(w) + 1}" for w in plant) or "没有"),
                  "前十：" + "、".join(top), {"neighbours": top, "plant": plant})


DISHES = ("红烧", "肉丸", "丸子", "清蒸", "糖醋", "扣肉", "排骨", "红烧肉", "东坡肉", "粉蒸肉", "肘子", "烧鸡")


def lion_head(space) -> Outcome:
    from vecs.static.query import neighbours

    if (o := _lacks(space, ["狮子头"])) is not None:
        return o
    top = [x.word for x in neighbours(space, "狮子头", k=10).results]
    food = [w for w in top if w in DISHES]
    animal = [w for w in top if w in ("狮子", "老虎", "猎豹", "雄狮", "豹子")]
    first_food = top.index(food[0]) + 1 if food else None
    held = bool(food) and first_food <= 5 and not animal
    return judged(space.name, held, bool(food),
                  "菜名：" + ("、".join(f"{w} #{top.index(w) + 1}" for w in food) or "前十里没有")
                  + ("；动物：" + "、".join(animal) if animal else ""),
                  "前十：" + "、".join(top), {"neighbours": top, "food": food, "animal": animal})


def _analogy(space, a, b, c, d) -> Outcome:
    from vecs.static.query import analogy

    if (o := _lacks(space, [a, b, c, d])) is not None:
        return o
    r = analogy(space, a, b, c, k=5, expected=d)
    top = r.results[0]
    held = top.word == d
    return judged(space.name, held, r.expected.rank <= 5,
                  f"{top.word}（{top.score:.2f}）" if held else f"{top.word}；{d} 排第 {r.expected.rank:,}",
                  "前五：" + "、".join(x.word for x in r.results),
                  {"top": [x.word for x in r.results], "expected_rank": r.expected.rank})


def king(space) -> Outcome:
    return _analogy(space, "男人", "国王", "女人", "王后")


def paris(space) -> Outcome:
    return _analogy(space, "巴黎", "法国", "柏林", "德国")


def doctor(space) -> Outcome:
    from vecs.static.query import exclusion_effect

    if (o := _lacks(space, ["男人", "医生", "女人", "护士"])) is not None:
        return o
    both = exclusion_effect(space, "男人", "医生", "女人", k=5, expected="护士")
    ex, kept = both.excluded, both.kept
    held = ex.results[0].word == "护士"
    return judged(space.name, held, ex.expected.rank <= 5,
                  f"排除输入词：{ex.results[0].word}；保留输入词：{kept.results[0].word}，护士排第 {kept.expected.rank}",
                  "排除时前五：" + "、".join(x.word for x in ex.results),
                  {"excluded": [x.word for x in ex.results], "kept": [x.word for x in kept.results]})


def beijing(space) -> Outcome:
    from vecs.static.query import neighbours

    if (o := _lacks(space, ["北京"])) is not None:
        return o
    top = [x.word for x in neighbours(space, "北京", k=10).results]
    cities = [w for w in top if w in ("上海", "广州", "天津", "沈阳", "哈尔滨", "南京", "武汉", "重庆", "西安", "成都",
                                       "深圳", "杭州", "大连", "长春", "济南")]
    return judged(space.name, len(cities) >= 3, bool(cities), "城市：" + ("、".join(cities) or "没有"),
                  "前十：" + "、".join(top), {"neighbours": top, "cities": cities})


def shu(model) -> Outcome:
    """After 输, the football sentence wants 球 more than 入 and the spreadsheet sentence the other way."""
    from vecs.inside.lens import logit_lens

    def ranks(prompt):
        q = logit_lens(model, prompt, k=3, target="球", positions=[-1])
        r = logit_lens(model, prompt, k=3, target="入", positions=[-1])
        return q.tracks[0].final_rank, r.tracks[0].final_rank, q.final

    fq, fr, ftop = ranks(FOOTBALL)
    sq, sr, stop = ranks(SHEET)
    held = fq < fr and sr < sq
    return judged(model.name, held, fq < fr or sr < sq,
                  f"足球句：球 #{fq}、入 #{fr:,}；单元格句：入 #{sr}、球 #{sq:,}",
                  f"足球句的前三：{'、'.join(g.shown for g in ftop)}；单元格句的前三：{'、'.join(g.shown for g in stop)}",
                  {"football": {"球": fq, "入": fr}, "sheet": {"入": sr, "球": sq}})


def willow_senses(model) -> Outcome:
    """杨柳 in sentences about the plant, the farewell of classical poems and a person's name: is
    the word closer to itself within a sense than across senses (standardised cosine)?"""
    from vecs.contextual.polysemy import example_groups, senses

    r = senses(model, "杨柳", example_groups("杨柳"), layer="all", standardize=True)
    best = max(r.layers, key=lambda x: x.gap)
    at = next(x for x in r.layers if x.layer == r.default_layer)
    late = [x for x in r.layers if x.layer > r.layers[-1].layer // 2]
    held = all(x.gap > 0.1 for x in late)
    return judged(model.name, held, best.gap > 0.1,
                  f"默认层 L{at.layer}：同一义项内 {at.within:.2f}、不同义项间 {at.across:.2f}；"
                  f"差距最大在 L{best.layer}（{best.gap:.2f}）",
                  "各义项内部：" + "、".join(f"{k} {v:.2f}" for k, v in best.groups.items())
                  + "（标准化余弦；古诗是文言，其余是白话，部分差距可能来自文体）",
                  {"gaps": [round(x.gap, 4) for x in r.layers], "best_layer": best.layer,
                   "default_layer": at.layer})


def capital(model) -> Outcome:
    from vecs.inside.generate import generation, sample_continuations

    g = generation(model, CAPITAL, max_tokens=6, temperature=0)
    s = sample_continuations(model, CAPITAL, samples=5, max_tokens=6, temperature=1.0, seed=0)
    first = g.text.strip()
    held = first.startswith("北京") and s.distinct >= 2
    return judged(model.name, held, first.startswith("北京") or s.distinct >= 2,
                  f"贪心解码：{first!r}；5 次采样有 {s.distinct} 种不同的回答",
                  " | ".join(repr(x.text.strip()) for x in s.samples[:3]),
                  {"greedy": g.text, "samples": [x.text for x in s.samples], "distinct": s.distinct})


@dataclass
class Claim:
    key: str
    claim: str
    command: str
    criterion: str
    check: Callable[[object], Outcome]
    uses: str  # "vectors" | "trained" | "lm"


CLAIMS = [
    Claim("willow", "“杨柳”的近邻是柳：垂柳、柳枝、柳絮", "vecs neighbours 杨柳 -m {m}",
          "成立 = 前十个近邻里至少有两个是柳（垂柳、柳枝、柳絮、柳树、柳条、垂杨）；部分成立 = 有一个", willow, "vectors"),
    Claim("lion", "“狮子头”是一道菜，不是狮子的头", "vecs neighbours 狮子头 -m {m}",
          "成立 = 前五个近邻里有菜名（红烧、肉丸……）且前十里没有动物；部分成立 = 前十里有菜名", lion_head, "vectors"),
    Claim("king", "男人 : 国王 :: 女人 : 王后", "vecs analogy 男人 国王 女人 -m {m}",
          "成立 = 第一名是王后；部分成立 = 王后在前五", king, "vectors"),
    Claim("paris", "巴黎 : 法国 :: 柏林 : 德国", "vecs analogy 巴黎 法国 柏林 -m {m}",
          "成立 = 第一名是德国；部分成立 = 德国在前五", paris, "vectors"),
    Claim("doctor", "医生 − 男人 + 女人 ≈ 护士（偏见），以及排除输入词的作用", "vecs analogy 男人 医生 女人 --keep-inputs -m {m}",
          "成立 = 排除输入词时第一名是护士；部分成立 = 护士在前五", doctor, "vectors"),
    Claim("beijing", "在《人民日报》上自己训练的 word2vec 里，“北京”挨着别的城市", "vecs neighbours 北京 -m {m}",
          "成立 = 前十个近邻里至少有三个中国城市；部分成立 = 至少一个", beijing, "trained"),
    Claim("shu", "“输”后面接什么由上下文决定：足球比赛里是“球”，单元格里是“入”",
          f'vecs lens "{FOOTBALL}" -t 球 -m {{m}}',
          "成立 = 足球句里“球”排在“入”前面，单元格句里“入”排在“球”前面；部分成立 = 只有一句如此", shu, "lm"),
    Claim("willow-senses", "“杨柳”有几个意思：植物、古诗里的送别、人名 — 上下文把它们分开",
          "vecs senses 杨柳 --example --standardize -m {m}",
          "成立 = 后一半的每一层，同一义项内的相似度都比不同义项间高 0.1 以上（标准化余弦）；部分成立 = 某一层如此",
          willow_senses, "lm"),
    Claim("capital", "模型一次写一个词：“中国的首都是”之后是“北京”，采样时回答各不相同",
          f'vecs generate "{CAPITAL}" --samples 5 --seed 0 --max-tokens 6 -m {{m}}',
          "成立 = 贪心解码以“北京”开头，且 5 次采样至少有两种回答；部分成立 = 其中之一", capital, "lm"),
]
