"""The class report for course staff: ``report.html`` beside ``summary.csv``, one self-contained file.

It opens offline: no external CSS, script, font or image (the score plot is a PNG made with matplotlib's
Agg backend and embedded as base64; a Content-Security-Policy forbids loading anything else). It shows the
score distribution, each check's pass rate, the most common failure messages per check with the
submissions behind them, the submissions that need staff and the slowest ones. Every text that can come
from a student (submission names, messages) is escaped.

The rows are ``batch``'s summary rows (submission, score, max_score, outcome, seconds, results, tests);
the messages come from each row's results.json. A missing or unreadable results.json never stops the
report: the submission is listed under "needs staff".
"""
from __future__ import annotations

import base64
import html
import io
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from detoxlab.files import write_text_atomically

TOP_MESSAGES = 5          # failure messages shown per check
NAMES_SHOWN = 30          # submission names shown for one message
MESSAGE_CHARS = 600       # characters of one failure message shown
STAFF_MESSAGE_CHARS = 300  # characters of a results' "output" (and of a staff note) in "needs staff"
SLOWEST = 10
NORMAL_OUTCOMES = ("completed", "cell-errors")
UNREADABLE = "results.json missing/unreadable"
STAFF_PREFIX = "staff: "

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;
 max-width:1100px;padding:0 16px;color:#1d1d1f;font-size:14px;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
h3{font-size:14px;margin:16px 0 6px}
.muted{color:#666}table{border-collapse:collapse;margin:4px 0 8px;width:100%}
th,td{border-bottom:1px solid #e6e6e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f7;font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
.bar{background:#e9eef6;width:160px;height:10px;display:inline-block;vertical-align:middle}
.bar>span{background:#3b6fb6;height:10px;display:block}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:12px;
 font-family:ui-monospace,Menlo,Consolas,monospace}
.names{font-size:12px;color:#333}.bad{color:#a40000;font-weight:600}
details summary{cursor:pointer;color:#555;font-size:12px}
img{max-width:100%}table.compact{width:auto}table.msgs{table-layout:fixed}
col.count{width:60px}col.who{width:30%}col.name{width:26%}col.outcome{width:110px}col.score{width:90px}
"""
# Nothing but the embedded image and the inline style may load; no script runs.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _short(text, limit: int) -> str:
    text = "" if text is None else str(text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value) -> float | None:
    try:
        return None if value in ("", None) else float(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Submission:
    """One row and what its results.json says (``problem`` when it could not be read)."""
    name: str
    score: float | None
    max_score: float | None
    outcome: str
    seconds: float
    checks: list = field(default_factory=list)       # visible tests: dicts with name, passed, output
    staff_notes: list = field(default_factory=list)  # hidden tests: (title, text)
    output: str = ""
    needs_staff_flag: bool = False
    problem: str = ""

    @property
    def graded(self) -> bool:
        return self.score is not None and self.max_score is not None

    @property
    def needs_staff(self) -> bool:
        return bool(self.problem) or self.needs_staff_flag or self.outcome not in NORMAL_OUTCOMES


def _passed(test: dict) -> bool:
    if "status" in test:
        return test["status"] == "passed"
    score, most = _number(test.get("score")), _number(test.get("max_score"))
    return score is not None and most is not None and score >= most


def read_submission(row: dict) -> Submission:
    """A row with its results.json; an unreadable file gives ``problem`` and no checks, never an error."""
    item = Submission(name=str(row.get("submission", "")), score=_number(row.get("score")),
                      max_score=_number(row.get("max_score")), outcome=str(row.get("outcome", "")),
                      seconds=_number(row.get("seconds")) or 0.0)
    try:
        payload = json.loads(Path(row["results"]).read_text(encoding="utf-8"))
        if not isinstance(payload, dict) or not isinstance(payload.get("tests", []), list):
            raise ValueError("not a results object")
    except (OSError, ValueError, KeyError, TypeError) as error:
        item.problem = f"{UNREADABLE} ({type(error).__name__})"
        return item
    item.output = str(payload.get("output") or "")
    extra = payload.get("extra_data") if isinstance(payload.get("extra_data"), dict) else {}
    item.needs_staff_flag = extra.get("needs_staff") is True
    for test in payload.get("tests") or []:
        if not isinstance(test, dict):
            continue
        name = str(test.get("name", ""))
        if test.get("visibility") == "hidden" or name.startswith(STAFF_PREFIX):
            item.staff_notes.append((name.removeprefix(STAFF_PREFIX), str(test.get("output") or "")))
        elif "score" in test or "status" in test:
            item.checks.append({"name": name, "passed": _passed(test), "output": str(test.get("output") or "")})
    return item


# --- the sections -------------------------------------------------------------------------------------------

def check_names(rows: list[dict], submissions: list[Submission]) -> list[str]:
    """The checks in the order they appear: the rows' tests first (as in summary.csv), then results.json's."""
    names = [name for row in rows for name in (row.get("tests") or {})]
    names += [check["name"] for item in submissions for check in item.checks]
    return list(dict.fromkeys(names))


def pass_rates(names: list[str], submissions: list[Submission]) -> list[tuple[str, int, int]]:
    """(check, passed, graded) per check; graded: the submissions whose results.json has that check."""
    rates = []
    for name in names:
        results = [check["passed"] for item in submissions for check in item.checks if check["name"] == name]
        rates.append((name, sum(results), len(results)))
    return rates


def failure_messages(names: list[str], submissions: list[Submission], top: int = TOP_MESSAGES) -> dict:
    """check -> (the ``top`` most common failure messages as (message, [submissions]), how many others)."""
    found = {}
    for name in names:
        groups: dict[str, list[str]] = {}
        for item in submissions:
            for check in item.checks:
                if check["name"] == name and not check["passed"]:
                    groups.setdefault(check["output"].strip(), []).append(item.name)
        ranked = sorted(groups.items(), key=lambda pair: -len(pair[1]))  # stable: ties keep first appearance
        if ranked:
            found[name] = (ranked[:top], len(ranked) - len(ranked[:top]))
    return found


def score_plot(submissions: list[Submission]) -> str:
    """The histogram of scores as base64 PNG (matplotlib's Agg canvas, whatever the global backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    graded = [item for item in submissions if item.graded]
    maxima = Counter(item.max_score for item in graded)
    figure = Figure(figsize=(7.5, 2.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if len(maxima) <= 1:
        most = next(iter(maxima), 0.0) or 0.0
        scores = [item.score for item in graded]
        label = f"score (out of {most:g})"
        if most and most <= 40 and float(most).is_integer():
            edges = [k - 0.5 for k in range(int(most) + 2)]
            axes.set_xticks(range(int(most) + 1))
        else:
            top = most or max(scores, default=1.0) or 1.0
            edges = [top * k / 20 for k in range(21)]
    else:  # different maxima: compare fractions
        scores = [100 * item.score / item.max_score if item.max_score else 0.0 for item in graded]
        label = "score (% of each submission's maximum)"
        edges = list(range(0, 101, 10))
    if scores:
        low, high = edges[0], edges[-1]
        axes.hist([min(max(s, low), high) for s in scores], bins=edges, color="#3b6fb6", edgecolor="white")
    else:
        axes.text(0.5, 0.5, "no graded submissions", ha="center", va="center", transform=axes.transAxes)
    axes.set_xlabel(label)
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _scores_section(submissions: list[Submission]) -> str:
    graded = [item for item in submissions if item.graded]
    not_graded = len(submissions) - len(graded)
    parts = ["<h2>Score distribution</h2>"]
    try:
        image = score_plot(submissions)
        parts.append(f'<img alt="histogram of scores" src="data:image/png;base64,{image}">')
    except Exception as error:  # the numbers below still say it
        parts.append(f'<p class="bad">No plot: {_e(type(error).__name__)}: {_e(_short(error, 200))}</p>')
    facts = [f"{len(graded)} graded"]
    if graded:
        scores = [item.score for item in graded]
        full = sum(1 for item in graded if item.score >= item.max_score)
        facts += [f"mean {statistics.fmean(scores):.2f}", f"median {statistics.median(scores):g}",
                  f"{full} with full marks"]
    line = "; ".join(facts) + "."
    if not_graded:
        line += (f' <span class="bad">{not_graded} submission(s) not graded (no score), not in the plot</span>; '
                 "see “needs staff”.")
    parts.append(f"<p>{line}</p>")
    return "\n".join(parts)


def _rates_section(rates, unreadable: int) -> str:
    parts = ["<h2>Pass rate per check</h2>"]
    if not rates:
        return parts[0] + "\n<p class=\"muted\">No check results.</p>"
    parts.append('<table class="compact"><tr><th>check</th><th class="num">passed / graded</th><th class="num">%</th>'
                 '<th></th></tr>')
    for name, passed, graded in rates:
        percent = 100 * passed / graded if graded else 0.0
        parts.append(f'<tr><td>{_e(name)}</td><td class="num">{passed} / {graded}</td>'
                     f'<td class="num">{percent:.0f}%</td>'
                     f'<td><span class="bar"><span style="width:{percent:.0f}%"></span></span></td></tr>')
    parts.append("</table>")
    if unreadable:
        parts.append(f'<p class="muted">{unreadable} submission(s) with {UNREADABLE} are not counted here.</p>')
    return "\n".join(parts)


def _names(names: list[str]) -> str:
    shown = ", ".join(_e(name) for name in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += f" <span class=\"muted\">and {len(names) - NAMES_SHOWN} more</span>"
    return shown


def _failures_section(failures: dict) -> str:
    parts = ["<h2>Most common failure messages</h2>",
             f'<p class="muted">Identical messages grouped; the {TOP_MESSAGES} most common per check.</p>']
    if not failures:
        parts.append("<p>No failed checks.</p>")
    for name, (groups, others) in failures.items():
        parts.append(f"<h3>{_e(name)}</h3>")
        parts.append('<table class="msgs"><colgroup><col class="count"><col><col class="who"></colgroup>'
                     '<tr><th class="num">count</th><th>message</th><th>submissions</th></tr>')
        for message, names in groups:
            text = _short(message, MESSAGE_CHARS) or "(no message)"
            parts.append(f'<tr><td class="num">{len(names)}</td><td><pre>{_e(text)}</pre></td>'
                         f'<td class="names">{_names(names)}</td></tr>')
        parts.append("</table>")
        if others:
            parts.append(f'<p class="muted">and {others} other message(s).</p>')
    return "\n".join(parts)


def _staff_section(submissions: list[Submission]) -> str:
    flagged = [item for item in submissions if item.needs_staff]
    parts = ["<h2>Needs staff</h2>"]
    if not flagged:
        parts.append("<p>None: every submission ran to the end.</p>")
        return "\n".join(parts)
    parts.append(f'<p class="muted">{len(flagged)} submission(s): outcome other than completed or cell-errors, '
                 f"marked for staff, or with {UNREADABLE}.</p>")
    parts.append('<table class="msgs"><colgroup><col class="name"><col class="outcome"><col class="score"><col>'
                 '</colgroup><tr><th>submission</th><th>outcome</th><th class="num">score</th><th>message</th></tr>')
    for item in flagged:
        score = f"{item.score:g}/{item.max_score:g}" if item.graded else "not graded"
        message = _e(item.problem) if item.problem else f"<pre>{_e(_short(item.output, STAFF_MESSAGE_CHARS))}</pre>"
        if item.problem:
            message = f'<span class="bad">{message}</span>'
        if item.staff_notes:
            notes = "".join(f"<p><b>{_e(title)}</b></p><pre>{_e(_short(text, STAFF_MESSAGE_CHARS))}</pre>"
                            for title, text in item.staff_notes)
            message += (f"<details><summary>staff notes: {_e(', '.join(t for t, _ in item.staff_notes))}</summary>"
                        f"{notes}</details>")
        parts.append(f"<tr><td>{_e(item.name)}</td><td>{_e(item.outcome)}</td><td class=\"num\">{_e(score)}</td>"
                     f"<td>{message}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


def _slowest_section(submissions: list[Submission], count: int = SLOWEST) -> str:
    slowest = sorted(submissions, key=lambda item: -item.seconds)[:count]
    parts = ["<h2>Slowest submissions</h2>",
             '<table class="compact"><tr><th>submission</th><th class="num">seconds</th><th>outcome</th>'
             '<th class="num">score</th></tr>']
    for item in slowest:
        score = f"{item.score:g}/{item.max_score:g}" if item.graded else "not graded"
        parts.append(f'<tr><td>{_e(item.name)}</td><td class="num">{item.seconds:.0f}</td><td>{_e(item.outcome)}</td>'
                     f'<td class="num">{_e(score)}</td></tr>')
    parts.append("</table>")
    return "\n".join(parts)


def render(rows: list[dict], title: str = "detoxlab grade: class report") -> str:
    """The report's HTML for ``rows`` (batch's summary rows)."""
    submissions = [read_submission(row) for row in rows]
    readable = [item for item in submissions if not item.problem]
    names = check_names(rows, readable)
    outcomes = Counter(item.outcome for item in submissions)
    overview = ", ".join(f"{count} {_e(outcome)}" for outcome, count in outcomes.most_common())
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">{len(submissions)} submission(s) ({overview}); written '
        f"{_e(time.strftime('%Y-%m-%d %H:%M %Z'))}.</p>",
        _scores_section(submissions),
        _rates_section(pass_rates(names, readable), len(submissions) - len(readable)),
        _failures_section(failure_messages(names, readable)),
        _staff_section(submissions),
        _slowest_section(submissions),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_report(path: Path, rows: list[dict]) -> Path:
    """Write the class report for ``rows`` to ``path`` atomically (mode 0600, as summary.csv); returns it."""
    return write_text_atomically(Path(path), render(rows))
