"""Pure builders of the customer journey page (frames in, escaped HTML out): the contacts as cards,
the page's headline counts, and the words both the cards and the timeline above them
(``views.ui.journey_timeline``) say of a contact.

``journey_list`` is the customer's contacts as cards in time order: each card has an anchor
(``id="c-<hex>"``), a repeat links to the card of the contact it repeats (the target card is
highlighted with CSS ``:target``), transfers are tagged, survey responses and comments sit under
their contact. Every value from the warehouse is escaped (queue and team names, reason labels and
survey comments come from imported files): a comment shows as the text it is, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from views.ui.tiles import absent, format_value

OPENED_RING = "#8c8c8c"  # neutral: reads on the light and the dark theme, not a status colour
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
