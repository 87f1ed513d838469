"""Pure builders of the customer journey page (frames in, escaped HTML out).

``timeline`` draws the customer's contacts on one lane per channel in the channel's stable colour
(``palette.channel_colors``), the contact opened ringed, each repeat joined to the contact it
repeats by a dotted line: HTML drawn by ``views.ui.figure`` (no Plotly on the page), every text in
HTML so it never scales down on a phone, a dot's click going to its card. ``journey_list`` is the
same contacts as cards in time order: each card has an anchor (``id="c-<hex>"``), a repeat links
to the card of the contact it repeats (the target card is highlighted with CSS ``:target``),
transfers are tagged, survey responses and comments sit under their contact. Every value from the
warehouse is escaped (queue and team names, reason labels and survey comments come from imported
files): a comment shows as the text it is, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from views.ui.tiles import absent, format_value

OPENED_RING = "#8c8c8c"  # neutral: reads on the light and the dark theme, not a status colour
REPEAT_LINE = "#8c8c8c"
SCALE_NAMES = {2: "good/bad", 5: "1-5", 10: "0-10"}
NPS_TOP, CES_TOP = 10, 7

CSS = """
<style>
.jn { font-size: 14px; line-height: 1.4; }
.jn .card { border: 1px solid rgba(128,128,128,.35); border-left: 5px solid var(--ch);
  border-radius: 6px; padding: 6px 10px; margin: 0 0 8px; scroll-margin-top: 70px;
  overflow-wrap: anywhere; }
.jn .card.opened { background: rgba(128,128,128,.12); border-color: rgba(128,128,128,.8);
  border-left-color: var(--ch); box-shadow: 0 0 0 1px rgba(128,128,128,.6); }
.jn .card:target { box-shadow: 0 0 0 3px #9d6ccf; }
.jn .head { display: flex; flex-wrap: wrap; gap: 2px 10px; align-items: baseline; }
.jn .pos { font-weight: 700; opacity: .6; min-width: 2.2em; }
.jn .when { font-weight: 600; }
.jn .chan { font-weight: 600; color: var(--ch); }
.jn .mask { font-family: monospace; font-size: 13px; opacity: .85; }
.jn .badge { font-size: 12px; padding: 0 7px; border-radius: 9px; border: 1px solid currentColor; }
.jn .what { margin: 2px 0 0; }
.jn .facts { font-size: 12.5px; opacity: .8; }
.jn .fact { white-space: nowrap; }
.jn .tags { display: flex; flex-wrap: wrap; gap: 4px 6px; margin-top: 3px; }
.jn .tag { font-size: 12.5px; padding: 0 7px; border-radius: 9px;
  background: rgba(128,128,128,.16); }
.jn .tag.repeat { background: rgba(157,108,207,.22); }
.jn .tag.transfer { background: rgba(27,154,170,.22); }
.jn .survey { margin: 5px 0 0; padding: 3px 8px; border-left: 3px solid rgba(128,128,128,.5);
  font-size: 13px; }
.jn .comment { white-space: pre-wrap; font-style: italic; margin: 2px 0 0; }
.jn a { color: inherit; text-decoration: underline; }
</style>
"""


def esc(value: object) -> str:
    return html.escape("" if absent(value) else str(value), quote=True)


def anchor(mask: object) -> str:
    """The HTML id of a contact's card: ``c-`` and the mask's hex digits (a mask is '#' + hex)."""
    return "c-" + str(mask).lstrip("#")


def truth(value: object) -> bool | None:
    """A nullable boolean as True, False or None (not recorded)."""
    return None if absent(value) else bool(value)


def seconds(value: object) -> str:
    return format_value(value, "seconds")


def when(value: object) -> str:
    return "" if absent(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def channel_order(channels: list[str], vocabulary: list[str]) -> list[str]:
    """The channels present, in the canonical vocabulary's order (unknown ones last)."""
    present = list(dict.fromkeys(channels))
    known = [c for c in vocabulary if c in present]
    return known + sorted(c for c in present if c not in vocabulary)


TIMELINE_CSS = """<style>
.jt { --lane: 40px; }
.jt .jg { display: grid; grid-template-columns: 74px minmax(0, 1fr); margin-right: 12px; }
.jt .jm { display: grid; grid-auto-rows: var(--lane); font-size: 12.5px; }
.jt .jm span { display: flex; align-items: center; justify-content: flex-end; gap: 5px;
  padding-right: 8px; white-space: nowrap; overflow: hidden; }
.jt .jm i { flex: none; width: 10px; height: 10px; border-radius: 50%; }
.jt .jp { position: relative; border-left: 1px solid rgba(128,128,128,.35);
  border-bottom: 1px solid rgba(128,128,128,.35); background-size: 100% var(--lane);
  background-image: linear-gradient(transparent calc(50% - .5px), rgba(128,128,128,.22)
  calc(50% - .5px), rgba(128,128,128,.22) calc(50% + .5px), transparent calc(50% + .5px)); }
.jt .jp svg { position: absolute; inset: 0; width: 100%; height: 100%; overflow: visible;
  pointer-events: none; }
.jt .jv { position: absolute; top: 0; bottom: 0; border-left: 1px dotted rgba(128,128,128,.35); }
.jt .jd { position: absolute; width: 12px; height: 12px; margin: -6px 0 0 -6px; border-radius: 50%;
  box-sizing: border-box; border: 1.5px solid var(--st-background-color, #fff); z-index: 1; }
.jt .jd.tr { border-radius: 2px; transform: rotate(45deg) scale(.92); }
.jt .jd.op { z-index: 2; }
.jt .jd.op::after { content: ""; position: absolute; inset: -8px; border: 3px solid #8c8c8c;
  border-radius: 50%; }
.jt .jd:hover, .jt .jd:focus-visible { outline: 2px solid var(--st-text-color, #222);
  outline-offset: 2px; z-index: 3; }
.jt .jx { position: relative; height: 20px; margin: 0 12px 0 74px; font-size: 11px;
  opacity: .75; }
.jt .jx span { position: absolute; top: 3px; transform: translateX(-50%); white-space: nowrap; }
.jt .jx span.s { transform: none; } .jt .jx span.e { transform: translateX(-100%); }
.jt .jk { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; margin: 4px 0 8px; }
.jt .jk span { display: inline-flex; align-items: center; gap: 5px; }
.jt .jk i { display: inline-block; width: 10px; height: 10px; background: #8c8c8c;
  border-radius: 50%; }
.jt .jk i.tr { border-radius: 1px; transform: rotate(45deg) scale(.85); }
.jt .jk i.op { background: transparent; border: 3px solid #8c8c8c; width: 14px; height: 14px;
  box-sizing: border-box; }
.jt .jk i.rp { width: 20px; height: 0; border-radius: 0; background: none;
  border-top: 2px dotted #8c8c8c; }
@container (max-width: 560px) {
  .jt .jg { grid-template-columns: 58px minmax(0, 1fr); } .jt .jx { margin-left: 58px; }
  .jt .jm span { padding-right: 5px; } .jt .jx span.odd { display: none; }
}
</style>"""
# Tick steps of the time axis, smallest first: (seconds, unit, how many units).
TICK_STEPS = ([(60 * m, "min", m) for m in (5, 10, 15, 30)]
              + [(3600 * h, "h", h) for h in (1, 2, 3, 6, 12)]
              + [(86_400 * d, "D", d) for d in (1, 2, 7, 14)]
              + [(30 * 86_400 * m, "M", m) for m in (1, 2, 3, 6, 12)])
TICKS = 6  # about this many dates on the axis (every other one on a phone)
PAD = 3.0  # % of the width kept free at each end, so the first and last dots are whole


def time_ticks(first: pd.Timestamp, last: pd.Timestamp,
               count: int = TICKS) -> tuple[list[pd.Timestamp], str]:
    """Round times between ``first`` and ``last`` (about ``count``: every 5 minutes up to every
    year) and the strftime format that writes them; one tick at ``first`` when they are equal."""
    span = (last - first).total_seconds()
    if span <= 0:
        return [first], "%Y-%m-%d %H:%M"
    seconds, unit, size = next((s for s in TICK_STEPS if span / s[0] <= count - 1), TICK_STEPS[-1])
    if unit == "M":
        tick = pd.Timestamp(first.year, first.month, 1)
        while tick < first or (tick.month - 1) % size:
            tick += pd.DateOffset(months=1)
        ticks = []
        while tick <= last:
            ticks.append(tick)
            tick += pd.DateOffset(months=size)
        return ticks, "%Y" if size == 12 else "%b %Y"
    if unit == "D" and size in (7, 14):
        tick = first.ceil("D")
        tick += pd.Timedelta(days=(7 - tick.day_of_week) % 7)  # weeks start on Monday
    else:
        tick = first.ceil(f"{size}{unit}")
    ticks = list(pd.date_range(tick, last, freq=pd.Timedelta(seconds=seconds))) if tick <= last \
        else []
    return ticks, "%d %b" if unit == "D" else "%d %b %H:%M"


def timeline(contacts: pd.DataFrame, colors: Mapping[str, str], vocabulary: list[str]) -> str:
    """The customer's contacts on one lane per channel (in the vocabulary's order), a dot per
    contact at its time (``left:%``) in its channel's colour: a diamond when transferred, ringed
    when it is the contact opened; a dotted line from each repeat back to the contact it repeats
    (when both are shown); dates on an axis below. A dot's hover is ``hover_text``; a click goes
    to the contact's card in the list below (``#c-<hex>``). Every value is escaped."""
    rows = channel_order([str(c) for c in contacts["channel"]], vocabulary)
    lanes = max(len(rows), 1)
    times = [pd.Timestamp(t) for t in contacts["local_at"]]
    first, last = min(times), max(times)
    span = (last - first).total_seconds()

    def x_at(when: pd.Timestamp) -> float:
        return 50.0 if span <= 0 else PAD + (100 - 2 * PAD) * (when - first).total_seconds() / span

    def y_at(channel: str) -> float:
        return (rows.index(channel) + 0.5) / lanes * 100

    records = contacts.to_dict("records")
    at = {str(r["contact"]): (x_at(t), y_at(str(r["channel"]))) for r, t in zip(records, times,
                                                                                 strict=True)}
    links = []
    for r in records:
        earlier = r.get("repeat_of")
        if isinstance(earlier, str) and earlier in at:
            (x1, y1), (x2, y2) = at[earlier], at[str(r["contact"])]
            links.append(f'<line x1="{x1 * 10:.1f}" y1="{y1 * 10:.1f}" x2="{x2 * 10:.1f}" '
                         f'y2="{y2 * 10:.1f}" stroke="{REPEAT_LINE}" stroke-width="1.5" '
                         'stroke-dasharray="2 4" vector-effect="non-scaling-stroke"/>')
    dots = []
    for r in records:
        x, y = at[str(r["contact"])]
        kind = ("jd" + (" tr" if truth(r.get("transferred")) else "")
                + (" op" if bool(r["opened"]) else ""))
        color = colors.get(str(r["channel"]), OPENED_RING)
        tip = esc(hover_text(r))
        dots.append(f'<a class="{kind}" href="#{esc(anchor(r["contact"]))}" style="left:{x:.2f}%;'
                    f'top:{y:.2f}%;background:{esc(color)}" data-tip="{tip}" aria-label="{tip}">'
                    "</a>")
    ticks, fmt = time_ticks(first, last)
    grid, dates = [], []
    for i, tick in enumerate(ticks):
        x = x_at(tick)
        grid.append(f'<i class="jv" style="left:{x:.2f}%"></i>')
        side = " s" if x < 12 and len(ticks) > 1 else " e" if x > 88 and len(ticks) > 1 else ""
        dates.append(f'<span class="{"odd" if i % 2 else "ev"}{side}" style="left:{x:.2f}%">'
                     f"{esc(tick.strftime(fmt))}</span>")
    names = "".join(f'<span data-tip="{esc(c)}"><i style="background:{esc(colors.get(c, OPENED_RING))}">'
                    f"</i>{esc(c)}</span>" for c in rows)
    key = ['<span><i></i>contact, in its channel\'s colour (click: its card below)</span>']
    if any(truth(r.get("transferred")) for r in records):
        key.append('<span><i class="tr"></i>transferred</span>')
    if any(bool(r["opened"]) for r in records):
        key.append('<span><i class="op"></i>the contact opened</span>')
    if links:
        key.append('<span><i class="rp"></i>a repeat and the contact it repeats</span>')
    svg = (f'<svg viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">'
           f'{"".join(links)}</svg>')
    return (f'{TIMELINE_CSS}<div class="jt"><div class="jg" style="height:calc({lanes} * '
            f'var(--lane))"><div class="jm">{names}</div><div class="jp">{"".join(grid)}{svg}'
            f'{"".join(dots)}</div></div><div class="jx">{"".join(dates)}</div>'
            f'<div class="jk">{"".join(key)}</div></div>')


def hover_lines(row: Mapping[str, Any]) -> list[str]:
    """What a contact's dot says on hover, line by line (plain text: escape it where it goes)."""
    parts = [f"no. {row['position']} · {row['contact']} · {when(row['local_at'])}",
             reason_text(row), outcome_text(row)]
    if row.get("repeat"):
        parts.append(f"repeat of {row['repeat_of']}")
    if truth(row.get("transferred")):
        parts.append("transferred")
    return [p for p in parts if p]


def hover_text(row: Mapping[str, Any]) -> str:
    """``hover_lines`` as one text, a line each (the hover shows it as written)."""
    return "\n".join(hover_lines(row))


def reason_text(row: Mapping[str, Any]) -> str:
    label = row.get("reason_label")
    label = row.get("reason") if absent(label) else label
    text = "no reason recorded" if absent(label) else str(label)
    return text if absent(row.get("department")) else f"{text} ({row['department']})"


def outcome_text(row: Mapping[str, Any]) -> str:
    words = [str(row[k]) for k in ("direction", "status", "outcome") if not absent(row.get(k))]
    return " · ".join(dict.fromkeys(words))


def survey_text(row: Mapping[str, Any]) -> str:
    """A response's scores in words: "CSAT 2 (1-5) · NPS 9 of 10 · CES 6 of 7 · resolved: no"."""
    parts = []
    if not absent(row.get("csat")):
        scale = None if absent(row.get("csat_scale")) else int(row["csat_scale"])
        if scale == 2:
            parts.append("CSAT good" if float(row["csat"]) >= 1 else "CSAT bad")
        else:
            parts.append(f"CSAT {float(row['csat']):g} ({SCALE_NAMES.get(scale or 0, 'scale unknown')})")
    if not absent(row.get("nps")):
        parts.append(f"NPS {int(row['nps'])} of {NPS_TOP}")
    if not absent(row.get("ces")):
        parts.append(f"CES {int(row['ces'])} of {CES_TOP}")
    if truth(row.get("resolved")) is not None:
        parts.append("resolved: " + ("yes" if truth(row["resolved"]) else "no"))
    return " · ".join(parts) or "no score"


def survey_html(row: Mapping[str, Any], comments: bool) -> str:
    comment = row.get("comment")
    said = (f'<div class="comment">{esc(comment)}</div>'
            if comments and not absent(comment) and str(comment).strip() else "")
    return (f'<div class="survey">Survey {esc(when(row["local_at"]))} · {esc(survey_text(row))} '
            f'<span class="mask">{esc(row["response"])}</span>{said}</div>')


def repeat_tag(row: Mapping[str, Any], link_to: Callable[[str], str]) -> str:
    """"repeat of no. 3 #1a2b3c4d, 2.1 d later": a link to that card, or (not shown) to the
    journey opened on it."""
    earlier = str(row["repeat_of"])
    position = row.get("repeat_of_position")
    gap = seconds(row.get("repeat_gap_seconds"))
    ties = int(row.get("repeat_of_ties") or 0)
    also = f" (and {ties - 1} more in the same second)" if ties > 1 else ""
    if position is not None and not absent(position):
        target = f'<a href="#{anchor(earlier)}">no. {int(position)} {esc(earlier)}</a>'
    else:
        target = (f'<a href="{esc(link_to(earlier))}" target="_self">{esc(earlier)}</a> '
                  "(not among the contacts shown)")
    return f'<span class="tag repeat">repeat of {target}, {esc(gap)} later{also}</span>'


def tags_html(row: Mapping[str, Any], link_to: Callable[[str], str], window: str) -> str:
    tags = []
    if row.get("repeat"):
        tags.append(repeat_tag(row, link_to))
    for later in row.get("repeated_by") or ():
        tags.append(f'<span class="tag repeat">repeated by <a href="#{anchor(later)}">'
                    f'{esc(later)}</a></span>')
    transferred = truth(row.get("transferred"))
    if transferred:
        tags.append('<span class="tag transfer">transferred</span>')
    if truth(row.get("fcr")) is True:
        tags.append(f'<span class="tag">resolved first time (no further contact within {window})</span>')
    if row.get("switched"):
        tags.append(f'<span class="tag">switched channel within {window}</span>')
    return f'<div class="tags">{"".join(tags)}</div>' if tags else ""


def card_html(row: Mapping[str, Any], colors: Mapping[str, str], surveys: pd.DataFrame,
              comments: bool, link_to: Callable[[str], str], window: str) -> str:
    channel = str(row["channel"])
    opened = bool(row["opened"])
    facts = [f"{k} {esc(row[k])}" for k in ("source", "queue", "team")
             if not absent(row.get(k))]
    facts += [f'<span class="fact">{label} {esc(seconds(row[k]))}</span>' for k, label in
              (("wait_seconds", "wait"), ("handle_seconds", "handle"))
              if not absent(row.get(k))]
    if truth(row.get("transferred")) is None:
        facts.append("transfers not recorded")
    mine = surveys[surveys["contact"] == row["contact"]] if len(surveys) else surveys
    said = "".join(survey_html(s, comments) for s in mine.to_dict("records"))
    badge = '<span class="badge">opened from the list</span>' if opened else ""
    return (f'<div class="card{" opened" if opened else ""}" id="{anchor(row["contact"])}" '
            f'style="--ch: {esc(colors.get(channel, OPENED_RING))}">'
            f'<div class="head"><span class="pos">{int(row["position"])}</span>'
            f'<span class="when">{esc(when(row["local_at"]))}</span>'
            f'<span class="chan">{esc(channel)}</span>'
            f'<span class="mask">{esc(row["contact"])}</span>{badge}</div>'
            f'<div class="what">{esc(reason_text(row))} · {esc(outcome_text(row))}</div>'
            f'<div class="facts">{" · ".join(facts)}</div>'
            f'{tags_html(row, link_to, window)}{said}</div>')


def journey_list(contacts: pd.DataFrame, surveys: pd.DataFrame, colors: Mapping[str, str],
                 comments: bool, link_to: Callable[[str], str], window: str) -> str:
    """The contacts as cards in time order, and the customer's responses linked to no contact."""
    cards = [card_html(r, colors, surveys, comments, link_to, window)
             for r in contacts.to_dict("records")]
    loose = surveys[surveys["contact"].map(lambda v: not isinstance(v, str))] if len(surveys) \
        else surveys
    if len(loose):
        cards.append('<div class="card" style="--ch: rgba(128,128,128,.5)">'
                     '<div class="head"><span class="when">Survey responses of this customer '
                     "linked to no contact</span></div>"
                     + "".join(survey_html(s, comments) for s in loose.to_dict("records"))
                     + "</div>")
    return CSS + f'<div class="jn">{"".join(cards)}</div>'


def jump_html(contacts: pd.DataFrame) -> str:
    """A link down to the card of the contact opened (the list can hold hundreds)."""
    opened = contacts[contacts["opened"].astype(bool)]
    if opened.empty:
        return ""
    row = opened.iloc[0]
    return (f'{CSS}<div class="jn"><a href="#{anchor(row["contact"])}">Go to the contact opened '
            f'(no. {int(row["position"])}, {esc(row["contact"])}) in the list below</a></div>')


def summary(contacts: pd.DataFrame, surveys: pd.DataFrame) -> dict[str, int]:
    """Counts for the page's headline: contacts, channels, repeats, transferred, responses."""
    return {"contacts": len(contacts), "channels": contacts["channel"].nunique(),
            "repeats": int(contacts["repeat"].sum()),
            "transferred": sum(1 for t in contacts["transferred"] if truth(t)),
            "surveys": len(surveys)}
