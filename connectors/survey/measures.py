"""Which survey column is which measure, and how answers become canonical scores.

Shared by the Qualtrics, SurveyMonkey and Typeform connectors and by the generic mapping (surveys).
Question ids (``Q1``, ``QID7``) carry no meaning and every survey is built differently, but the question
text says what is asked ("How satisfied...", "Wie zufrieden..."), so measures are found by label:

1. an explicit override wins: ``ReadOptions.mapping`` = ``{"csat": "Q1", "nps": "Q2", ...}``, or from
   the command line a YAML with ``kind: questions`` and those keys under ``columns:`` (``--format
   qualtrics --mapping FILE``, docs/generic-mapping.md); a column is named by its id, its label or its
   Qualtrics ImportId. Keys: csat, csat_scale (a number), nps, ces, resolved, comment, case_id,
   contact_record_id, channel, email, phone, account;
2. NPS: a column the connector knows is NPS (Qualtrics ``<col>_NPS_GROUP`` companion), else a label with
   "recommend" / "empfehlen"; CES: "easy" / "effort" / "einfach" / "aufwand"; resolved: "resolv" /
   "gelöst"; CSAT: "satisf" / "zufrieden". A label only counts when at least half of the column's answers
   read as that measure, so a free-text "Why were you satisfied?" never becomes CSAT;
3. comment: the first known free-text column (Qualtrics ``QIDn_TEXT``, SurveyMonkey "Open-Ended
   Response"), else the first label with comment / why / anything else / Kommentar / free text;
4. links by column name, case-insensitive: ContactId / TicketId / CaseId (any of ``_`` spellings) ->
   ``case_id`` (the loader links it to ``contacts.case_id``), Channel -> channel, RecipientEmail /
   Email Address / email -> email.

Answers: CSAT 1-5, or 5-point labels (Very / Extremely satisfied ... Sehr unzufrieden) mapped to 5..1; a
numeric column with answers above 5 is read as 0-10 (``csat_scale`` 10). NPS 0-10 ("10 - Extremely likely"
reads the number). CES 1-7 (7-point agree labels mapped). Resolved Yes/No, Ja/Nein, 1/0, "Yes, fully".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from connectors import values as v
from connectors.base import FormatError

MEASURES = ("nps", "ces", "resolved", "csat")  # the order labels are tried in
LINKS = ("case_id", "contact_record_id", "channel", "email", "phone", "account")
OVERRIDE_KEYS = ("csat", "csat_scale", "nps", "ces", "resolved", "comment", *LINKS)
LABEL_WORDS = {
    "nps": re.compile(r"recommend|empfehlen", re.I),
    "ces": re.compile(r"\beasy\b|effort|einfach|aufwand", re.I),
    "resolved": re.compile(r"resolv|gelöst|geloest|erledigt", re.I),
    "csat": re.compile(r"satisf|zufrieden", re.I),
}
COMMENT_WORDS = re.compile(r"comment|\bwhy\b|anything else|kommentar|free.?text|freitext|anmerkung"
                           r"|warum|verbesser|suggest", re.I)
LINK_NAMES = {"contactid": "case_id", "ticketid": "case_id", "caseid": "case_id",
              "channel": "channel", "recipientemail": "email", "emailaddress": "email",
              "email": "email"}
CSAT_LABELS = {
    "very satisfied": 5, "extremely satisfied": 5, "completely satisfied": 5, "satisfied": 4,
    "somewhat satisfied": 4, "neither satisfied nor dissatisfied": 3, "neutral": 3,
    "somewhat dissatisfied": 2, "dissatisfied": 2, "very dissatisfied": 1, "extremely dissatisfied": 1,
    "sehr zufrieden": 5, "äußerst zufrieden": 5, "vollkommen zufrieden": 5, "zufrieden": 4,
    "eher zufrieden": 4, "weder zufrieden noch unzufrieden": 3, "teils/teils": 3, "teils, teils": 3,
    "eher unzufrieden": 2, "unzufrieden": 2, "sehr unzufrieden": 1, "äußerst unzufrieden": 1,
}
CES_LABELS = {
    "strongly agree": 7, "agree": 6, "somewhat agree": 5, "neither agree nor disagree": 4,
    "somewhat disagree": 3, "disagree": 2, "strongly disagree": 1,
    "stimme voll und ganz zu": 7, "stimme voll zu": 7, "stimme zu": 6, "stimme eher zu": 5,
    "weder noch": 4, "stimme eher nicht zu": 3, "stimme nicht zu": 2,
    "stimme überhaupt nicht zu": 1, "stimme gar nicht zu": 1,
}
CHANNEL_WORDS = {
    "phone": "phone", "telephone": "phone", "call": "phone", "voice": "phone", "telefon": "phone",
    "anruf": "phone", "hotline": "phone", "email": "email", "e-mail": "email", "mail": "email",
    "web": "web", "web form": "web", "webform": "web", "website": "web", "portal": "web",
    "kontaktformular": "web", "chat": "chat", "live chat": "chat", "livechat": "chat",
    "social": "social", "facebook": "social", "twitter": "social", "instagram": "social",
    "messaging": "messaging", "whatsapp": "messaging", "sms": "messaging", "messenger": "messaging",
    "self_service": "self_service", "self service": "self_service", "self-service": "self_service",
    "ivr": "self_service", "bot": "self_service", "chatbot": "self_service", "other": "other",
}
LEADING_NUMBER = r"^\s*(\d+(?:[.,]\d+)?)(?!\d)"


@dataclass(frozen=True)
class Question:
    column: str  # the column of the frame
    label: str  # the question text (Qualtrics row 2, SurveyMonkey row 1, Typeform header)
    free_text: bool = False  # known text entry (Qualtrics QIDn_TEXT, SurveyMonkey Open-Ended Response)
    nps: bool = False  # known NPS (Qualtrics <col>_NPS_GROUP companion)


def _norm(s: pd.Series) -> pd.Series:
    return v.blank_to_na(s).str.lower().str.replace(r"\s+", " ", regex=True).str.strip(" .!")


def _leading_number(s: pd.Series) -> pd.Series:
    found = v.blank_to_na(s).str.extract(LEADING_NUMBER, expand=False)
    return pd.to_numeric(found.str.replace(",", ".", regex=False), errors="coerce").astype("float64")


def csat(s: pd.Series, scale: int | None = None) -> tuple[pd.Series, int]:
    """(scores, scale): labels -> 1..5, numbers on 1..5 (or 0..10 when an answer is in 6..10).

    A number off the scale is passed on, not dropped here: the loader blanks it and records it in
    ``blanked_values`` (staging.IMPOSSIBLE), so an impossible answer is counted, never lost silently."""
    labelled = _norm(s).map(CSAT_LABELS).astype("float64")
    number = _leading_number(s)
    if scale is None:
        free = number.where(labelled.isna())
        scale = 10 if ((free > 5) & (free <= 10)).any() else 5
    return labelled.fillna(number), scale


def _whole(n: pd.Series) -> pd.Series:
    """Whole numbers as integers (off-scale ones too: see ``csat``); 7.5 is no answer."""
    return n.where(n == n.round()).astype("Int64")


def nps(s: pd.Series) -> pd.Series:
    return _whole(_leading_number(s))


def ces(s: pd.Series) -> pd.Series:
    return _whole(_norm(s).map(CES_LABELS).astype("float64").fillna(_leading_number(s)))


def resolved(s: pd.Series) -> pd.Series:
    """Yes/No, Ja/Nein, 1/0, true/false, and answers that start with one ("Yes, completely")."""
    first = v.blank_to_na(s).str.extract(r"^\s*([^\s,;.:!-]+)", expand=False)
    return v.booleans(first.fillna(""))


def channel(s: pd.Series, unknown: str | None = "other") -> pd.Series:
    """Channel words (English, German, vendor labels) to canonical channels."""
    low = _norm(s)
    out = low.map(CHANNEL_WORDS)
    fallback = v.blank_to_na(s) if unknown is None else pd.Series(unknown, index=s.index,
                                                                   dtype="string")
    return out.where(out.notna() | low.isna(), fallback).astype("string")


CONVERT = {"nps": nps, "ces": ces, "resolved": resolved, "csat": lambda s: csat(s)[0]}


def _reads_as(f: pd.DataFrame, column: str, measure: str) -> bool:
    answers = v.blank_to_na(f[column]).dropna()
    if answers.empty:
        return False
    ok = CONVERT[measure](answers).notna()
    return bool(ok.any()) and ok.mean() >= 0.5


def override_of(mapping: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """The survey override in ``ReadOptions.mapping``: flat, or the ``columns:`` of a mapping YAML."""
    if not mapping:
        return {}
    cols = mapping.get("columns")
    flat = dict(cols) if isinstance(cols, Mapping) else dict(mapping)
    if mapping.get("kind", "questions") != "questions":
        raise FormatError(f"{what}: the mapping is for the generic connector (kind "
                          f"{mapping.get('kind')}); to name survey questions use kind: questions")
    scale = (mapping.get("defaults") or {}).get("csat_scale", flat.get("csat_scale"))
    if scale is not None:
        flat["csat_scale"] = int(float(scale))
    unknown = sorted(k for k in flat if k not in OVERRIDE_KEYS)
    if unknown:
        raise FormatError(f"{what}: the mapping names {', '.join(unknown)}; a survey mapping may "
                          f"name {', '.join(OVERRIDE_KEYS)}")
    return flat


def pick(f: pd.DataFrame, questions: list[Question], override: Mapping[str, Any],
         what: str, aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """Field -> column: links by name, measures by label (and answers), then the override."""
    picks: dict[str, str] = {}
    for col in f.columns:
        field = LINK_NAMES.get(re.sub(r"[^a-z0-9]", "", str(col).lower()))
        if field and field not in picks:
            picks[field] = col
    linked = set(picks.values())
    open_qs = [q for q in questions if q.column not in linked and q.column in f.columns]
    for q in open_qs:
        if q.nps and "nps" not in picks:
            picks["nps"] = q.column
    for measure in MEASURES:
        for q in open_qs:
            if measure in picks:
                break
            if (q.column not in picks.values() and LABEL_WORDS[measure].search(q.label)
                    and _reads_as(f, q.column, measure)):
                picks[measure] = q.column
    rest = [q for q in open_qs if q.column not in picks.values()]
    comment = next((q for q in rest if q.free_text), None) or next(
        (q for q in rest if COMMENT_WORDS.search(q.label)), None)
    if comment is not None:
        picks["comment"] = comment.column
    names = {str(c).lower(): str(c) for c in f.columns}
    names.update({q.label.strip().lower(): q.column for q in questions if q.label.strip()})
    names.update({k.lower(): c for k, c in (aliases or {}).items()})
    for field, column in override.items():
        if field == "csat_scale":
            continue
        found = names.get(str(column).strip().lower())
        if found is None:
            raise FormatError(f"{what}: the mapping names column '{column}' for {field}, "
                              f"but the file has no such column")
        picks = {k: c for k, c in picks.items() if c != found or k in LINKS}
        picks[field] = found
    return picks


def responses(f: pd.DataFrame, picks: Mapping[str, str], scale: int | None = None) -> pd.DataFrame:
    """The answer and link columns of SURVEY_COLUMNS (NULL where nothing was picked)."""
    def col(field: str) -> pd.Series:
        name = picks.get(field)
        return f[name] if name else pd.Series("", index=f.index, dtype="string")

    score, found_scale = csat(col("csat"), scale)
    return pd.DataFrame({
        "case_id": v.text(col("case_id")),
        "contact_record_id": v.text(col("contact_record_id")),
        "channel": channel(col("channel")),
        "csat": score,
        "csat_scale": pd.Series(found_scale, index=f.index).where(score.notna()).astype("Int64"),
        "nps": nps(col("nps")),
        "ces": ces(col("ces")),
        "resolved": resolved(col("resolved")),
        "comment": v.text(col("comment")),
        "email": v.text(col("email")),
        "phone": v.text(col("phone")),
        "account": v.text(col("account")),
    }, index=f.index)


def has_score(frame: pd.DataFrame) -> pd.Series:
    return frame[["csat", "nps", "ces", "resolved"]].notna().any(axis=1)
