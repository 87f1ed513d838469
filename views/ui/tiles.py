"""What a KPI tile says, as pure functions: values by unit, changes, tones, drill-down links.

Kept apart from Streamlit so the wording is tested without a browser: a percent KPI changes by
percentage points, a time KPI reads in s/min/h/d, a change is "better" or "worse" according to the
KPI's direction, and every tile or matrix cell links to the Channels page with the same filters
(``views.ui.state.link``) so what an executive clicks is what a service lead sees.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlsplit

import pandas as pd

from views.ui.state import COMPARISONS, Filters, link

MARKDOWN_COLORS = {"green": "green", "amber": "orange", "red": "red", "grey": "gray"}
STATUS_WORDS = {"green": "on target", "amber": "off target", "red": "red flag",
                "grey": "not judged"}
SHORT_COMPARISONS = {"prev": "vs previous", "yoy": "vs last year"}
# The four perspectives in page order, with the titles the Scorecard page and the board pack show.
PERSPECTIVES = {
    "experience": "Experience: what customers say",
    "operational": "Operational: how the service runs",
    "avoidable": "Avoidable contact: demand that should not exist",
    "cost": "Cost and ownership: who pays for failure demand",
}
CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF ", "SEK": "SEK ", "JPY": "¥"}


MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$:~])")


def plain(text: object) -> str:
    """Text from a URL or from imported data, made safe to put in Markdown: every character that
    Markdown, Streamlit's ``:color[...]`` directives or LaTeX (``$``) would read is escaped, so a
    crafted link or a team named ``**x** [y](z)`` shows as written and never as a link or image."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


def absent(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a value that is not there (text is there, unlike ``missing``,
    which reads any non-number as missing)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a list or an array is there
        return False


def missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def format_value(value: object, unit: str, currency: str = "EUR") -> str:
    """A KPI value in its unit: 11.3 %, 7.8 min, 7,095, €30,207, 30.2, 0.335; '–' when missing."""
    if missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if unit == "percent":
        return f"{v:.1f} %"
    if unit == "seconds":
        return ("-" if v < 0 else "") + _duration(abs(v))
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "currency":
        sign = CURRENCY_SIGNS.get(currency.upper(), f"{currency} ")
        amount = f"{abs(v):,.0f}" if abs(v) >= 1000 else f"{abs(v):,.2f}"
        return f"{'-' if v < 0 else ''}{sign}{amount}"
    if unit == "points":
        return f"{v:.1f}"
    return f"{v:.3g}"


def format_change(change: object, unit: str, currency: str = "EUR") -> str:
    """A signed change in the KPI's unit (percent KPIs change by percentage points)."""
    if missing(change):
        return "–"
    c = 0.0 if negligible(change, unit) else float(change)  # type: ignore[arg-type]
    sign = "+" if c > 0 else "−" if c < 0 else "±"
    if unit == "percent":
        return f"{sign}{abs(c):.1f} pp"
    if unit == "points":
        return f"{sign}{abs(c):.1f} pts"
    return sign + format_value(abs(c), unit, currency)


NEGLIGIBLE = {"percent": 0.05, "points": 0.05, "seconds": 0.5, "count": 0.5, "currency": 0.005}


def negligible(change: object, unit: str) -> bool:
    """True when the change would print as zero in the unit's precision."""
    return missing(change) or abs(float(change)) < NEGLIGIBLE.get(unit, 0.0005)  # type: ignore[arg-type]


def change_tone(change: object, direction: str, unit: str = "") -> str:
    """'better', 'worse' or 'same' for a change, given which direction is better."""
    if missing(change) or float(change) == 0 or negligible(change, unit):  # type: ignore[arg-type]
        return "same"
    up = float(change) > 0  # type: ignore[arg-type]
    return "better" if up == (direction == "higher") else "worse"


def change_markdown(change: object, unit: str, direction: str, cmp: str,
                    currency: str = "EUR", judged: bool = True) -> str:
    """``:green[▲ +1.2 pp] vs previous`` (green when better, red when worse); grey when the value
    is not judged (provisional: the change may still move)."""
    if missing(change):
        return f":gray[no {COMPARISONS.get(cmp, cmp)} to compare]"
    tone = change_tone(change, direction, unit) if judged else "same"
    color = {"better": "green", "worse": "red"}.get(tone, "gray")
    c = 0.0 if negligible(change, unit) else float(change)  # type: ignore[arg-type]
    arrow = "▲" if c > 0 else "▼" if c < 0 else "●"
    label = SHORT_COMPARISONS.get(cmp, f"vs {COMPARISONS.get(cmp, cmp)}")
    return f":{color}[{arrow} {format_change(change, unit, currency)}] :gray[{label}]"


def target_text(target: object, direction: str, unit: str, currency: str = "EUR",
                source: str = "") -> str:
    """"target ≤ 6.0 min (KPI file)": the target in force and where it comes from."""
    if missing(target):
        return "no target"
    text = f"target {'≥' if direction == 'higher' else '≤'} {format_value(target, unit, currency)}"
    if source:
        text += " (KPI file)" if source == "KPI file" else " (targets table)"
    return text


def value_markdown(value: object, unit: str, status: str, currency: str = "EUR",
                   applicable: bool = True) -> str:
    """The headline value; greyed out when the status is grey (n below min_n, no target,
    provisional); "n/a" when the KPI does not apply to the selection."""
    if not applicable:
        return "### :gray[n/a]"
    text = format_value(value, unit, currency)
    return f"### :gray[{text}]" if status == "grey" else f"### {text}"


def note_markdown(note: object) -> str:
    """Why a value has no status, when the tile does not already say it (provisional with its date,
    not applicable, failed); '' otherwise. Captions wrap, so the date is never cut off."""
    text = note if isinstance(note, str) else ""
    if text.startswith("provisional"):
        return f":blue[:material/schedule: {text}] :gray[(follow-ups may still come)]" \
            if "until" in text else f":blue[:material/schedule: {text}]"
    if text.startswith("not applicable"):
        return f":gray[{text}]"
    if text.startswith("could not be computed"):
        return f":red[:material/error: {text}]"
    return ""


def kpi_error(frame: pd.DataFrame, kpi_id: str) -> str | None:
    """Why ``kpi_id`` could not be computed: the runner's ``error`` column in a frame of
    ``run``/``scorecard`` rows (None when it ran, or the frame has no such column)."""
    if "error" not in frame.columns or frame.empty:
        return None
    errors = frame.loc[frame["kpi"] == kpi_id, "error"].dropna()
    return str(errors.iloc[0]) if len(errors) else None


def failure_markdown(label: str, kpi_id: str, error: str, hint: bool = False) -> str:
    """A grey note instead of a number or a traceback: the KPI and what failed. The error is shown
    as code, so its quotes, $ and * are not read as markdown."""
    text = error.replace("`", "'")
    note = (f":gray-badge[:material/error: not computed] **{label}** (`{kpi_id}`) does not run on "
            f"this data: `{text}`")
    return note + (". The other KPIs are not affected; an analyst can fix the file in the Metric "
                   "editor." if hint else "")


def issues_markdown(issues: object) -> str:
    """A badge for audit findings that touch the KPI (the text goes in the tooltip line)."""
    if not isinstance(issues, str) or not issues:
        return ""
    return f":orange-badge[:material/warning: data issue] :gray[{issues}]"


def judged_text(judged: object, of: object) -> str:
    """"3 of 5 KPIs judged": how many KPIs a perspective or overall score stands on."""
    if missing(of) or not float(of):  # type: ignore[arg-type]
        return "no KPIs"
    j = 0 if missing(judged) else int(float(judged))  # type: ignore[arg-type]
    return f"{j} of {int(float(of))} KPIs judged"  # type: ignore[arg-type]


def status_word(status: str, note: object = "") -> str:
    """The status in words; a grey value says why in one word (provisional, n/a, failed)."""
    text = note if isinstance(note, str) else ""
    if status == "grey":
        for start, word in (("provisional", "provisional"), ("not applicable", "n/a"),
                            ("could not be computed", "failed")):
            if text.startswith(start):
                return word
    return STATUS_WORDS.get(status, status)


def status_badge(status: str, note: object = "") -> str:
    """The status word as a badge, coloured by status (provisional blue, failed red)."""
    word = status_word(status, note)
    color = {"provisional": "blue", "n/a": "gray", "failed": "red"}.get(
        word, MARKDOWN_COLORS.get(status, "gray"))
    return f":{color}-badge[{word}]"


def score_color(score: object) -> str:
    """Markdown colour of a 0-10 score: green from 7, orange from 4, red below."""
    if missing(score):
        return "gray"
    s = float(score)  # type: ignore[arg-type]
    return "green" if s >= 7 else "orange" if s >= 4 else "red"


def drill_link(filters: Filters, kpi: str, channel: str | None = None,
               department: str | None = None) -> str:
    """The Channels page link for a tile (or a matrix cell narrowed to a channel/department)."""
    f = filters
    if channel is not None:
        f = f.with_(channels=(channel,))
    if department is not None:
        f = f.with_(departments=(department,))
    return link("channels", f, kpi=kpi)


def link_params(url: str) -> dict[str, str]:
    """The query parameters of a relative link, for ``st.page_link`` / ``st.switch_page``."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
