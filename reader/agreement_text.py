"""An agreement report as lines of plain text and as JSON (for `reader agreement`)."""

from __future__ import annotations

from .agreement import OVERALL, Report
from .text.visible import visible


def _v(text: str) -> str:
    return visible(text, keep_newlines=False)


def num(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _keep(report: Report, label: str) -> bool:
    return report.focus is None or label == report.focus


def report_json(report: Report) -> dict:
    """The report as a dict; with a focus label, per-label figures only for that label."""
    out = report.to_dict()
    if report.focus is None:
        return out
    only = {report.focus}
    for pair in out["pairs"]:
        for key in ("exact", "overlap", "kappa_by_label", "exact_matches", "overlap_matches"):
            pair[key] = {k: v for k, v in pair[key].items() if k in only}
    out["alpha_by_label"] = {k: v for k, v in out["alpha_by_label"].items() if k in only}
    if out["sentence_alpha"] is not None:
        out["sentence_alpha"] = {k: v for k, v in out["sentence_alpha"].items() if k in only}
    out["spans"] = {a: {k: v for k, v in c.items() if k in only} for a, c in out["spans"].items()}
    return out


def report_lines(report: Report) -> list[str]:
    names = ", ".join(_v(a) for a in report.annotators)
    labels = [l for l in report.labels if _keep(report, l)]
    lines = [f"agreement of {names} over {report.units:,} article{'s' if report.units != 1 else ''} "
             "all of them have done"]
    counts = ", ".join(f"{n:,} {layer} tokens" for layer, n in report.tokens.items())
    if report.sentences is not None:
        counts += f", {report.sentences:,} sentences"
    lines.append(f"  {counts}")
    width = max([len(_v(l)) for l in labels] + [len(OVERALL), 9])
    lines.append("")
    lines.append("spans in these articles")
    header = "  " + "annotator".ljust(width) + "".join(f"  {_v(l)[:12]:>12}" for l in labels)
    if report.focus is None:
        header += f"  {'total':>12}"
    lines.append(header)
    for a in report.annotators:
        row = "  " + _v(a)[:width].ljust(width) + "".join(
            f"  {report.spans[a][l]:>12,}" for l in labels
        )
        if report.focus is None:
            row += f"  {sum(report.spans[a].values()):>12,}"
        lines.append(row)
    for pair in report.pairs:
        lines.append("")
        lines.append(f"{_v(pair.a)} and {_v(pair.b)}")
        lines.append("  " + "label".ljust(width) + "  exact F1  overlap F1  token kappa")
        rows = labels + ([OVERALL] if report.focus is None else [])
        for label in rows:
            kappa = pair.kappa_by_label.get(label) if label != OVERALL else None
            lines.append(
                "  " + _v(label)[:width].ljust(width)
                + f"  {num(pair.exact[label]):>8}  {num(pair.overlap[label]):>10}"
                + f"  {num(kappa) if label != OVERALL else '':>11}"
            )
        layers = ", ".join(f"{layer} {num(k)}" for layer, k in pair.kappa.items())
        lines.append(f"  token kappa by layer: {layers}")
    lines.append("")
    lines.append("Krippendorff's alpha, all annotators, token level")
    lines.append("  " + ", ".join(f"{layer} layer {num(a)}" for layer, a in report.alpha.items()))
    lines.append("  " + ", ".join(f"{_v(l)} {num(report.alpha_by_label[l])}" for l in labels))
    if report.sentence_alpha is not None:
        shown = {k: v for k, v in report.sentence_alpha.items() if k == OVERALL or _keep(report, k)}
        parts = [f"{_v(k)} {num(v)}" for k, v in shown.items() if k != OVERALL]
        if report.focus is None or len(shown) == 1:
            parts.insert(0, f"{'/'.join(_v(k) for k in report.sentence_alpha if k != OVERALL)}/other "
                            f"{num(report.sentence_alpha[OVERALL])}")
        lines.append("Krippendorff's alpha, sentence level")
        lines.append("  " + ", ".join(parts))
    lines.append("")
    lines.append(report.matching)
    if report.articles is not None:
        lines.append("")
        what = f" ({_v(report.focus)})" if report.focus else ""
        lines.append(f"articles, least agreed first{what}")
        columns = list(report.articles[0].alpha) if report.articles else []
        lines.append(
            f"  {'id':>6}  {'spans':>5}  {'exact':>5}  {'overlap':>7}"
            + "".join(f"  {('α ' + layer)[:9]:>9}" for layer in columns) + "  title"
        )
        for s in report.articles:
            lines.append(
                f"  {s.article_id:>6}  {s.spans:>5}  {num(s.exact):>5}  {num(s.overlap):>7}"
                + "".join(f"  {num(s.alpha[layer]):>9}" for layer in columns)
                + f"  {_v(s.title)[:60]}"
            )
    return [line.rstrip() for line in lines]
