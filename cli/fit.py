"""Tables that fit the terminal (or the width they are printed at), with nothing a user must read
or type cut off: the renderable behind :func:`cli.render.table`.

A column is *atomic* when every cell is one token (a number, a name, a word, ``24×25``, a date):
it never wraps and is never shortened. Other columns wrap at spaces. When the table is too wide,
in this order: secondary columns go under their row, the borders become light, text columns
wrap, the columns are paged (the key columns repeated on every page), and at last each row is
shown as ``column: value`` lines. Nothing here reads markup from a cell unless the caller said so
(:class:`cli.render.Markup`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

ATOM = re.compile(r"^[\d\s.,:;+\-−–—×/%*eE()]{1,20}$")  # numbers, dates, ranges, "24 × 25"
TEXT_FLOOR = 24  # a wrapping column is not squeezed below its longest word, up to this
LIGHT_GAP = 2  # the light box: no vertical lines, two spaces between columns


@dataclass
class Cell:
    text: str  # what is shown (rich markup when ``markup``)
    markup: bool = False

    def plain(self) -> str:
        return Text.from_markup(self.text).plain if self.markup else self.text

    def render(self) -> Text:
        return Text.from_markup(self.text) if self.markup else Text(self.text)


@dataclass
class Col:
    header: Cell
    justify: str = "left"
    secondary: bool = False
    cells: list[Cell] = field(default_factory=list)

    def plains(self) -> list[str]:
        return [c.plain() for c in self.cells]

    @property
    def atomic(self) -> bool:
        if getattr(self, "no_wrap", False):  # set by a caller, as on a rich Column
            return True
        return all(ATOM.match(p) or not any(ch.isspace() for ch in p) for p in self.plains())

    @property
    def natural(self) -> int:
        lines = [ln for p in self.plains() for ln in p.split("\n")] + self.header.plain().split("\n")
        return max([cell_len(ln) for ln in lines] + [1])

    @property
    def floor(self) -> int:
        """The narrowest the column gets: whole cells when atomic, else its longest word (capped)."""
        head = max([cell_len(w) for w in self.header.plain().split()] + [1])
        if self.atomic:
            return max([cell_len(ln) for p in self.plains() for ln in p.split("\n")] + [head])
        words = max([cell_len(w) for p in self.plains() for w in p.split()] + [1])
        return min(self.natural, max(head, min(words, TEXT_FLOOR)))


@dataclass
class Fitted:
    """A table that fits the width it is printed at (see the module docstring)."""

    title: Cell | None
    caption: Cell | None
    cols: list[Col]
    key: int = 1  # leading columns repeated on every page

    @property
    def columns(self) -> list[Col]:
        return self.cols

    @property
    def rows(self) -> int:
        return max((len(c.cells) for c in self.cols), default=0)

    # ----------------------------------------------------------------------------------------
    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        w = options.max_width
        cols = self.cols
        # a table exactly as wide as the terminal is still squeezed by rich: keep one column spare
        if sum(c.natural for c in cols) + 3 * len(cols) + 1 < w:
            yield self._table(cols, heavy=True)
            return
        main = [c for c in cols if not c.secondary]
        if len(main) < len(cols) and self._light_width(main, natural=True) < w:
            yield from self._under_rows(main, [c for c in cols if c.secondary], w)
            return
        if self._light_width(cols, natural=True) < w:
            yield self._table(cols)
            return
        if self._light_width(cols, natural=False) < w:
            yield self._table(cols, widths=self._squeeze(cols, w))
            return
        pages = self._pages(cols, w)
        if pages:
            for i, page in enumerate(pages):
                yield self._table(page, widths=self._squeeze(page, w), title=i == 0, caption=i == len(pages) - 1,
                                  note=f"columns {self._span(page)}")
            return
        yield from self._records(w)

    # ----------------------------------------------------------------------------------------
    def _light_width(self, cols: list[Col], natural: bool) -> int:
        return sum(c.natural if natural else c.floor for c in cols) + LIGHT_GAP * (len(cols) - 1)

    def _squeeze(self, cols: list[Col], w: int) -> list[int] | None:
        """Column widths for the light box within ``w - 1``: atomic columns whole, the room left
        shared by the wrapping columns in proportion to what they would like beyond their floor."""
        room = w - 1 - LIGHT_GAP * (len(cols) - 1)
        widths = [c.floor for c in cols]
        spare = room - sum(widths)
        wants = [c.natural - f for c, f in zip(cols, widths)]
        if spare <= 0 or not any(wants):
            return widths
        total = sum(wants)
        for i, want in enumerate(wants):
            widths[i] += min(want, spare * want // total)
        left = room - sum(widths)
        for i, want in enumerate(wants):  # the rounding left over, to the columns still short
            add = min(left, cols[i].natural - widths[i])
            widths[i] += add
            left -= add
        return widths

    def _pages(self, cols: list[Col], w: int) -> list[list[Col]] | None:
        key, rest = cols[: self.key], cols[self.key:]
        if not rest:
            return None
        pages: list[list[Col]] = []
        page: list[Col] = []
        for c in rest:
            if page and self._light_width(key + page + [c], natural=False) >= w:
                pages.append(key + page)
                page = []
            page.append(c)
        pages.append(key + page)
        if any(self._light_width(p, natural=False) >= w for p in pages):
            return None
        # as even as possible: the same count of columns on every page
        per = -(-len(rest) // len(pages))
        even = [key + rest[s: s + per] for s in range(0, len(rest), per)]
        if all(self._light_width(p, natural=False) < w for p in even):
            return even
        return pages

    def _span(self, page: list[Col]) -> str:
        names = [c.header.plain().replace("\n", " ") for c in page[self.key:]]
        return names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"

    def _table(self, cols: list[Col], heavy: bool = False, widths: list[int] | None = None, title: bool = True,
               caption: bool = True, note: str | None = None) -> Table:
        t = Table(title=self._titled(note) if title else (None if note is None else Text(note, style="dim")),
                  caption=self.caption.render() if caption and self.caption else None,
                  box=box.HEAVY_HEAD if heavy else box.SIMPLE_HEAD, show_edge=heavy, pad_edge=heavy,
                  padding=(0, 1) if heavy else (0, LIGHT_GAP - 1, 0, 0), show_lines=False)
        for i, c in enumerate(cols):
            t.add_column(c.header.render(), justify=c.justify, no_wrap=c.atomic, overflow="fold",
                         min_width=c.floor if c.atomic else None,
                         width=None if widths is None else widths[i])
        for r in range(self.rows):
            t.add_row(*[c.cells[r].render() if r < len(c.cells) else "" for c in cols])
        return t

    def _titled(self, note: str | None):
        if self.title is None:
            return None if note is None else Text(note, style="dim")
        t = self.title.render()
        return t if note is None else Text.assemble(t, " · ", (note, "dim"))

    def _under_rows(self, main: list[Col], below: list[Col], w: int) -> RenderResult:
        """The main columns, one row each, with the secondary cells as indented lines under it."""
        widths = [c.natural for c in main]
        if self.title is not None:
            yield Text(self.title.plain(), style="bold")

        def grid() -> Table:
            g = Table.grid(padding=(0, LIGHT_GAP, 0, 0), pad_edge=False)
            for c, cw in zip(main, widths):
                g.add_column(justify=c.justify, no_wrap=True, width=cw)
            return g

        head = grid()
        head.add_row(*[Text(c.header.plain(), style="underline") for c in main])
        yield head
        for r in range(self.rows):
            g = grid()
            g.add_row(*[c.cells[r].render() if r < len(c.cells) else "" for c in main])
            yield g
            for j, c in enumerate(below):
                if r < len(c.cells) and c.cells[r].plain():
                    label = "" if j == 0 else f"{c.header.plain()}: "
                    yield Padding(Text.assemble(label, c.cells[r].render(), style="dim" if j else ""), (0, 0, 0, 4))
        if self.caption is not None:
            yield self.caption.render()

    def _records(self, w: int) -> RenderResult:
        """The last resort: each row as ``column: value`` lines."""
        if self.title is not None:
            yield self.title.render()
        for r in range(self.rows):
            lines = [Text.assemble((c.header.plain() + ": ", "bold"), c.cells[r].render())
                     for c in self.cols if r < len(c.cells)]
            yield Group(*lines, Text(""))
        if self.caption is not None:
            yield self.caption.render()
