"""The journey page's pure builders (views/ui/journey_view.py, views/ui/journey_timeline.py): scores
in words, escaped cards and hovers, the timeline's lanes, dots, repeat lines and dates. Frames are
built by hand; the numbers in comments are the rows below."""

from __future__ import annotations

import re

import pandas as pd

from metrics import facade
from views.ui import journey_timeline as jt
from views.ui import journey_view as jv
from views.ui.palette import channel_colors

# Three contacts of one customer: no. 1 chat, no. 2 phone repeating no. 1 (transferred), no. 3
# email repeating a contact that is not shown. The queue name carries markup.
CONTACTS = pd.DataFrame([
    {"position": 1, "contact": "#00000001", "opened": False, "local_at": pd.Timestamp("2024-03-01 09:00"),
     "channel": "chat", "direction": "inbound", "source": "zendesk", "queue": "<b>VIP</b>",
     "team": None, "reason": "bill", "reason_label": "Billing error", "department": "Finance",
     "status": "closed", "outcome": "handled", "wait_seconds": None, "handle_seconds": 300.0,
     "transferred": pd.NA, "repeat": False, "repeat_gap_seconds": None, "repeat_of": None,
     "repeat_of_ties": 0, "repeat_of_position": None, "repeated_by": ("#00000002",),
     "fcr": False, "switched": True, "surveys": 1},
    {"position": 2, "contact": "#00000002", "opened": True, "local_at": pd.Timestamp("2024-03-02 09:00"),
     "channel": "phone", "direction": "inbound", "source": "amazon_connect", "queue": "Orders",
     "team": "Phone A", "reason": "bill", "reason_label": "Billing error", "department": "Finance",
     "status": None, "outcome": "answered", "wait_seconds": 12.0, "handle_seconds": 240.0,
     "transferred": True, "repeat": True, "repeat_gap_seconds": 86_400.0, "repeat_of": "#00000001",
     "repeat_of_ties": 1, "repeat_of_position": 1, "repeated_by": (), "fcr": True,
     "switched": False, "surveys": 0},
    {"position": 3, "contact": "#00000003", "opened": False, "local_at": pd.Timestamp("2024-03-20 09:00"),
     "channel": "email", "direction": "inbound", "source": "zendesk", "queue": None, "team": None,
     "reason": None, "reason_label": None, "department": "Unmapped", "status": "open",
     "outcome": None, "wait_seconds": None, "handle_seconds": None, "transferred": pd.NA,
     "repeat": True, "repeat_gap_seconds": 3_600.0, "repeat_of": "#000000ff", "repeat_of_ties": 2,
     "repeat_of_position": None, "repeated_by": (), "fcr": None, "switched": False, "surveys": 0},
])
SURVEYS = pd.DataFrame([
    {"response": "#0000000a", "contact": "#00000001", "local_at": pd.Timestamp("2024-03-01 12:00"),
     "channel": "chat", "csat": 1.0, "csat_scale": 2, "nps": None, "ces": None, "resolved": None,
     "comment": "<script>x</script>\nsecond line"},
    {"response": "#0000000b", "contact": None, "local_at": pd.Timestamp("2024-03-25 12:00"),
     "channel": "phone", "csat": 4.0, "csat_scale": 5, "nps": 9, "ces": 6, "resolved": False,
     "comment": None},
])


def link_to(mask: str) -> str:
    return f"/journey?contact={mask.replace('#', '%23')}"


def test_scores_in_words() -> None:
    good, scored = SURVEYS.to_dict("records")
    assert jv.survey_text(good) == "CSAT good"
    assert jv.survey_text(scored) == "CSAT 4 (1-5) · NPS 9 of 10 · CES 6 of 7 · resolved: no"
    assert jv.survey_text({"csat": None}) == "no score"


def test_cards_escape_every_value_and_link_each_repeat() -> None:
    html = jv.journey_list(CONTACTS, SURVEYS, channel_colors(), True, link_to, "7 days")
    assert "&lt;b&gt;VIP&lt;/b&gt;" in html and "<b>VIP" not in html
    assert "&lt;script&gt;x&lt;/script&gt;\nsecond line" in html and "<script>" not in html
    assert html.count('class="card') == 3 + 1  # three contacts, one response linked to none
    assert 'class="card opened" id="c-00000002"' in html
    # no. 2 repeats no. 1, shown: an anchor; no. 3 repeats a contact not shown: a journey link
    assert 'repeat of <a href="#c-00000001">no. 1 #00000001</a>, 24.0 h later' in html
    assert '<a href="/journey?contact=%23000000ff" target="_self">#000000ff</a>' in html
    assert "(and 1 more in the same second)" in html
    assert 'repeated by <a href="#c-00000002">#00000002</a>' in html
    assert html.count(">transferred<") == 1 and html.count("transfers not recorded") == 2
    assert "resolved first time (no further contact within 7 days)" in html
    hidden = jv.journey_list(CONTACTS, SURVEYS.assign(comment=None), channel_colors(), False,
                             link_to, "7 days")
    assert "second line" not in hidden


def test_the_timeline_has_a_lane_per_channel_and_a_dot_per_contact_at_its_time() -> None:
    colors = channel_colors()
    html = jt.timeline(CONTACTS, colors, list(facade.CHANNELS))
    # lanes in the vocabulary's order, phone on top: phone, email, chat
    assert re.findall(r'<span data-tip="([^"]*)"><i', html) == ["phone", "email", "chat"]
    # 1 March 09:00 to 20 March 09:00 is 19 days: left = 3 + 94 * elapsed / 19 days (no. 2, a
    # day in: 3 + 94 / 19 = 7.95); three lanes: tops 16.67 % (phone), 50 % (email), 83.33 % (chat)
    dots = re.findall(r'<a class="([^"]*)" href="#(c-[0-9a-f]+)" style="left:([\d.]+)%;'
                      r'top:([\d.]+)%;background:([^"]*)"', html)
    assert dots == [("jd", "c-00000001", "3.00", "83.33", colors["chat"]),
                    ("jd tr op", "c-00000002", "7.95", "16.67", colors["phone"]),  # transferred,
                    ("jd", "c-00000003", "97.00", "50.00", colors["email"])]     # opened
    # the one repeat whose contact is shown (no. 2 of no. 1) is joined, in tenths of a percent
    assert re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', html) == [
        ("30.0", "833.3", "79.5", "166.7")]
    # weekly dates from the first Monday (4 March 00:00 is 63 h after the first contact of a
    # 456 h span: 3 + 94 * 63 / 456 = 15.99; 11 March 231 h: 50.62; 18 March 399 h: 85.25)
    assert re.findall(r'<span class="[a-z ]+" style="left:([\d.]+)%">([^<]+)</span>', html) == [
        ("15.99", "04 Mar"), ("50.62", "11 Mar"), ("85.25", "18 Mar")]
    assert "transferred</span>" in html and "the contact opened</span>" in html


def test_the_timelines_hover_and_lane_names_are_escaped() -> None:
    hostile = CONTACTS.assign(reason_label="<b>x</b>", channel=["<i>fax</i>", "phone", "email"])
    html = jt.timeline(hostile, channel_colors(), list(facade.CHANNELS))
    assert "<b>x</b>" not in html and "<i>fax</i>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; (Finance)" in html  # in the dots' hovers
    # the unknown channel's lane comes last
    assert re.findall(r'<span data-tip="([^"]*)"><i', html) == [
        "phone", "email", "&lt;i&gt;fax&lt;/i&gt;"]
    assert "</i>&lt;i&gt;fax&lt;/i&gt;</span>" in html
    hover = jt.hover_text(CONTACTS.to_dict("records")[1])
    assert hover.split("\n") == ["no. 2 · #00000002 · 2024-03-02 09:00",
                                 "Billing error (Finance)", "inbound · answered",
                                 "repeat of #00000001", "transferred"]


def test_time_ticks_are_round_dates_inside_the_range() -> None:
    one = pd.Timestamp("2024-03-01 09:00")
    assert jt.time_ticks(one, one) == ([one], "%Y-%m-%d %H:%M")  # a single contact
    # 15 January to 20 December: 340 days, every 3 months (2 would give 5.7 steps, over 5)
    ticks, fmt = jt.time_ticks(pd.Timestamp("2024-01-15"), pd.Timestamp("2024-12-20"))
    assert ticks == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01"),
                     pd.Timestamp("2024-10-01")] and fmt == "%b %Y"
    # 09:10 to 13:50: 4 h 40 min, every hour from 10:00
    ticks, fmt = jt.time_ticks(pd.Timestamp("2024-03-01 09:10"), pd.Timestamp("2024-03-01 13:50"))
    assert [t.hour for t in ticks] == [10, 11, 12, 13] and fmt == "%d %b %H:%M"
