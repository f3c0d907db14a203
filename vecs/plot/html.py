"""Interactive figures (plotly): the same points as the images of :mod:`vecs.plot.static`,
:mod:`vecs.plot.contextual`, :mod:`vecs.plot.lens` and :mod:`vecs.plot.attention`, with the word
(and, on a word map, its nearest neighbours) shown on hover, zoom and pan, and a 3-D word map.
:func:`vecs.plot.canvas.save` writes them as one self-contained HTML file (plotly.js inlined).

Each builder takes what the matplotlib figure was drawn from, so both show the same projection.
plotly is imported inside the functions only. Notes (what was left out) are kept in
``fig.layout.meta["notes"]`` (:func:`vecs.plot.canvas.notes` reads them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from vecs.plot.canvas import ANSWER_COLOUR, GROUP_COLOURS, LIGHT_COLOUR, WORD_COLOUR

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from vecs.plot.maps import WordMap

FONT = dict(family="DejaVu Sans, Noto Sans CJK SC, sans-serif", size=13)
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "cross", "x", "triangle-down", "star", "pentagon",
           "hexagon"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def _go():
    import plotly.graph_objects as go

    return go


def _figure(title: str, notes: Sequence[str] = ()) -> "Figure":
    go = _go()
    fig = go.Figure()
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), template="plotly_white", font=FONT,
                      hovermode="closest", meta={"notes": list(notes)}, margin=dict(l=40, r=40, t=80, b=40))
    return fig


def add_note(fig: "Figure", text: str) -> None:
    meta = dict(fig.layout.meta or {})
    meta["notes"] = list(meta.get("notes", [])) + [text]
    fig.update_layout(meta=meta)


def _hover_near(word: str, near: list[tuple[str, float]]) -> str:
    if not near:
        return f"<b>{word}</b>"
    return f"<b>{word}</b><br>nearest: " + ", ".join(f"{w} {s:.2f}" for w, s in near)


def words_figure(wm: "WordMap") -> "Figure":
    """The word map: trace 0 the asked words (labelled), trace 1 their neighbours (when any,
    named on hover only: plotly does not move labels apart, and clusters of neighbours collide);
    hovering a word shows it and its nearest neighbours with their cosines. 2-D or 3-D by the
    map's columns."""
    go = _go()
    nw, xy, words = wm.n_words, wm.xy, wm.words
    three = xy.shape[1] == 3
    extra = len(words) - nw
    title = (f"{wm.name}: {nw} words" + (f" + {extra} neighbours" if extra else "")
             + f"<br><sup>{wm.how}{' · drag to turn' if three else ' · drag to zoom, double-click to reset'}</sup>")
    fig = _figure(title)
    parts = [(slice(0, nw), "words", WORD_COLOUR, 9, "bold"), (slice(nw, len(words)), f"{wm.neighbours} neighbours "
                                                                "each", LIGHT_COLOUR, 6, "normal")]
    for sl, name, colour, size, weight in parts:
        ws = words[sl]
        if not ws:
            continue
        hover = [_hover_near(w, wm.nearest.get(w, [])) for w in ws]
        text = ws if weight == "bold" else None  # neighbours: on hover (plotly never moves labels apart)
        common = dict(x=xy[sl, 0], y=xy[sl, 1], mode="markers+text" if text else "markers", name=name, text=text,
                      hovertext=hover, hoverinfo="text", textposition="top center",
                      textfont=dict(color=WORD_COLOUR if weight == "bold" else "#2f4f75",
                                    size=13 if weight == "bold" else 11))
        if three:
            fig.add_trace(go.Scatter3d(z=xy[sl, 2], marker=dict(size=size * 0.6, color=colour), **common))
        else:
            fig.add_trace(go.Scatter(marker=dict(size=size + 2, color=colour), **common))
    if three:
        fig.update_layout(scene=dict(xaxis=dict(showticklabels=False, title=""),
                                     yaxis=dict(showticklabels=False, title=""),
                                     zaxis=dict(showticklabels=False, title="")), height=800)
    else:
        fig.update_xaxes(showticklabels=False, zeroline=False)
        fig.update_yaxes(showticklabels=False, zeroline=False, scaleanchor="x")
        fig.update_layout(height=750)
    return fig


def analogy_figure(words: Sequence[str], xy: np.ndarray, target: np.ndarray, answer_from_model: bool,
                   title: str, lands: str) -> "Figure":
    """The parallelogram: trace 0 the four words, trace 1 the point ``c + (b − a)``; arrows
    (annotations) a→b and c→d, dotted sides."""
    go = _go()
    fig = _figure(title.replace("\n", "<br><sup>") + "</sup>")
    colours = [WORD_COLOUR] * 3 + [ANSWER_COLOUR if answer_from_model else WORD_COLOUR]
    labels = list(words[:3]) + [words[3] + (" (model's answer)" if answer_from_model else "")]
    for i, j in ((0, 2), (1, 3)):
        fig.add_trace(go.Scatter(x=xy[[i, j], 0], y=xy[[i, j], 1], mode="lines", hoverinfo="skip",
                                 line=dict(dash="dot", color="#999999", width=1), showlegend=False))
    fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers+text", text=labels, hovertext=list(words),
                             hoverinfo="text", textposition="top center", name="words",
                             marker=dict(size=12, color=colours), textfont=dict(color=colours, size=14)))
    fig.add_trace(go.Scatter(x=[target[0]], y=[target[1]], mode="markers", name=lands, hovertext=[lands],
                             hoverinfo="text", marker=dict(symbol="x", size=11, color="#666666")))
    for p, q in ((0, 1), (2, 3)):
        fig.add_annotation(x=xy[q, 0], y=xy[q, 1], ax=xy[p, 0], ay=xy[p, 1], xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=2, arrowwidth=2, arrowcolor="#2e7d32", text="",
                           standoff=8, startstandoff=8)
    fig.update_xaxes(title="PC1", showticklabels=False, zeroline=False)
    fig.update_yaxes(title="PC2", showticklabels=False, zeroline=False)
    fig.update_layout(height=650)
    return fig


def bias_figure(words: Sequence[str], panels: Sequence[tuple[str, np.ndarray]], side: np.ndarray, xlabel: str,
                names: tuple[str, str], chosen: Sequence[int]) -> "Figure":
    """One panel per model (``panels``: title and the words' (x, y)), one trace per side of the
    direction (``names``: the negative and the positive end), every word on hover, the ``chosen``
    ones labelled."""
    from plotly.subplots import make_subplots

    go = _go()
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels], shared_yaxes=True)
    fig.update_layout(template="plotly_white", font=FONT, hovermode="closest", meta={"notes": []}, height=700,
                      title=dict(text="words along the bias direction", x=0.5))
    chosen = set(int(i) for i in chosen)
    for k, (_, xy) in enumerate(panels):
        for s, (name, colour) in enumerate(zip(names, ("#2b6cb0", "#b03a7a"))):
            idx = [i for i in range(len(words)) if bool(side[i]) == bool(s)]
            fig.add_trace(go.Scatter(
                x=xy[idx, 0], y=xy[idx, 1], mode="markers+text", name=f"{name} side", legendgroup=name,
                showlegend=k == 0, marker=dict(size=8, color=colour, opacity=0.8),
                text=[words[i] if i in chosen else "" for i in idx], textposition="top center",
                textfont=dict(size=10, color=colour),
                hovertext=[f"<b>{words[i]}</b><br>projection {xy[i, 0]:+.3f}" for i in idx], hoverinfo="text"),
                row=1, col=k + 1)
        fig.add_vline(x=0, line=dict(color="#999999", width=1), row=1, col=k + 1)
        fig.update_xaxes(title=xlabel, row=1, col=k + 1)
    fig.update_yaxes(title="first principal component, bias direction removed", row=1, col=1)
    return fig


def layers_figure(xy: np.ndarray, layers: Sequence[int], sentences: Sequence[str], groups: Sequence[str] | None,
                  title: str) -> "Figure":
    """One trace per sentence through its layers (``xy``: (L, n, 2)): colour per sense group, a
    marker and a dash per sentence within its group, the layer on hover and by the points."""
    go = _go()
    fig = _figure(title.replace("\n", "<br><sup>") + "</sup>")
    names = list(dict.fromkeys(groups)) if groups is not None else None
    within: dict[str, int] = {}
    for i, s in enumerate(sentences):
        g = groups[i] if groups is not None else str(i)
        j = within.get(g, 0)
        within[g] = j + 1
        colour = GROUP_COLOURS[(names.index(g) if names else i) % len(GROUP_COLOURS)]
        label = f"{i + 1}" + (f" [{g}]" if groups is not None else "") + f": {s if len(s) <= 60 else s[:59] + '…'}"
        fig.add_trace(go.Scatter(
            x=xy[:, i, 0], y=xy[:, i, 1], mode="lines+markers+text", name=label, text=[str(x) for x in layers],
            textposition="top right", textfont=dict(size=9, color="#444444"),
            line=dict(color=colour, dash=DASHES[j % len(DASHES)], width=1.5),
            marker=dict(symbol=SYMBOLS[j % len(SYMBOLS)], size=np.linspace(6, 12, len(layers)), color=colour),
            hovertext=[f"<b>layer {x}</b><br>{s}" for x in layers], hoverinfo="text"))
    fig.update_xaxes(title="PC1", showticklabels=False, zeroline=False)
    fig.update_yaxes(title="PC2", showticklabels=False, zeroline=False)
    fig.update_layout(height=750, legend=dict(orientation="h", y=-0.1))
    return fig


def heatmap_figure(z: np.ndarray, x: Sequence[str], y: Sequence[str], title: str, colour: str, bar: str,
                   text: Sequence[Sequence[str]] | None = None, hover: Sequence[Sequence[str]] | None = None,
                   zmin: float | None = None, zmax: float | None = None, xtitle: str = "", ytitle: str = "",
                   reverse_y: bool = False) -> "Figure":
    """One heatmap (trace 0): ``z`` rows by ``y``, columns by ``x`` (made unique for plotly), cell
    texts and hover texts."""
    go = _go()
    fig = _figure(title)
    xs = [f"{i}:{v}" for i, v in enumerate(x)]
    ys = [f"{i}:{v}" for i, v in enumerate(y)]
    fig.add_trace(go.Heatmap(z=z, x=xs, y=ys, colorscale=colour, zmin=zmin, zmax=zmax, text=text,
                             texttemplate="%{text}" if text is not None else None, hovertext=hover,
                             hoverinfo="text" if hover is not None else None, colorbar=dict(title=bar)))
    fig.update_xaxes(title=xtitle, tickmode="array", tickvals=xs, ticktext=list(x), tickangle=-35)
    fig.update_yaxes(title=ytitle, tickmode="array", tickvals=ys, ticktext=list(y),
                     autorange="reversed" if reverse_y else True)
    fig.update_layout(height=max(450, 120 + 28 * len(y)), width=max(700, 200 + 70 * len(x)))
    return fig


def lens_figure(result, first: int = 0) -> "Figure":
    """The logit-lens grid (layers up, positions across): each cell's top guess as its text, the
    top guesses with their probabilities on hover; coloured by the top guess's probability, or by
    log10 of the target's rank when the result follows one."""
    cols = list(result.positions)[first:]
    tracks = list(getattr(result, "tracks", []) or [])[first:]
    guesses = [[cell[0] if cell else None for cell in row[first:]] for row in result.guesses]
    nL, T = len(result.layers), len(cols)
    hover = [[f"layer {result.layers[k]} · after {result.tokens[cols[t]]!r}<br>"
              + "<br>".join(f"{g.shown or g.word} {g.score:.3f}" for g in result.guesses[k][first + t][:5])
              + (f"<br>{result.target.shown}: rank {tracks[t].ranks[k]:,}" if tracks else "")
              for t in range(T)] for k in range(nL)]
    text = [[(g.shown or g.word) if g else "" for g in row] for row in guesses]
    if tracks:
        z = np.log10(np.array([[tr.ranks[k] for tr in tracks] for k in range(nL)], dtype=float))
        colour, bar = "Viridis_r", f"log10 rank of {result.target.shown}"
    else:
        z = np.array([[g.score if g else 0.0 for g in row] for row in guesses], dtype=float)
        colour, bar = "Blues", "probability"
    title = f"logit lens: {result.model}<br><sup>{result.prompt[:120]!r}</sup>"
    return heatmap_figure(z, [result.tokens[p] for p in cols], [str(x) for x in result.layers], title, colour, bar,
                          text=text, hover=hover, zmin=0.0, zmax=None if tracks else 1.0,
                          xtitle="the token read last (each cell: the guess for the next one)", ytitle="layer")


def attention_figure(p) -> "Figure":
    """Attention weights (rows: queries, columns: keys) of one head or of every head of a layer
    (one heatmap per head, titled ``L.H``); hover names the query, the key and the weight."""
    from plotly.subplots import make_subplots

    go = _go()
    W = np.asarray(p.weights, dtype=float)
    n = W.shape[0]
    toks = [f"{i}:{t}" for i, t in enumerate(p.tokens)]
    hover = [[f"query {toks[q]}<br>key {toks[k]}" for k in range(len(toks))] for q in range(len(toks))]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[f"{p.layer}.{h}" for h in p.heads],
                        horizontal_spacing=0.04, vertical_spacing=0.06)
    for i in range(n):
        fig.add_trace(go.Heatmap(z=W[i], x=toks, y=toks, colorscale="Blues", zmin=0.0, zmax=1.0, text=hover,
                                 hovertemplate="%{text}<br>weight %{z:.3f}<extra></extra>", showscale=i == 0,
                                 colorbar=dict(title="weight")), row=i // cols + 1, col=i % cols + 1)
    fig.update_yaxes(autorange="reversed")
    side = 700 if n == 1 else 260 * cols
    fig.update_layout(template="plotly_white", font=FONT, meta={"notes": []}, width=side + 150, height=side + 120,
                      title=dict(text=f"{p.model} · layer {p.layer}" + (f" head {p.heads[0]}" if n == 1 else
                                                                        ", every head")
                                 + f"<br><sup>{p.prompt[:120]!r}</sup>", x=0.5))
    return fig
