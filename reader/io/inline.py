"""An article with its spans marked as inline braces, for `reader show` into a pipe."""

from __future__ import annotations

from collections.abc import Sequence

from db import Span

from ..text.visible import one_line, visible


def inline_marks(text: str, spans: Sequence[Span]) -> str:
    """`text` with each span written as `{label: …}`; nested spans nest, crossing ones are cut
    into pieces that nest, so the output stays balanced."""
    # Longer spans open first, so they enclose the shorter ones that start with them.
    order = sorted(
        range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, spans[i].label)
    )
    out: list[str] = []
    open_stack: list[Span] = []
    cuts = sorted({s.start for s in spans} | {s.end for s in spans} | {0, len(text)})
    by_start: dict[int, list[Span]] = {}
    for i in order:
        by_start.setdefault(spans[i].start, []).append(spans[i])
    for a, b in zip(cuts, cuts[1:]):
        # Close what ends here; spans above it that go on are closed and reopened, so braces nest.
        reopen = []
        while any(s.end <= a for s in open_stack):
            top = open_stack.pop()
            out.append("}")
            if top.end > a:
                reopen.append(top)
        for s in reversed(reopen):
            out.append("{" + one_line(s.label) + ": ")
            open_stack.append(s)
        for s in by_start.get(a, []):
            out.append("{" + one_line(s.label) + ": ")
            open_stack.append(s)
        out.append(visible(text[a:b]))
    out.extend("}" for _ in open_stack)
    return "".join(out)
