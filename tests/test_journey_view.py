"""The journey page's pure builders (views/ui/journey_view.py): scores in words, escaped cards and
hovers, the timeline's rows and traces. Frames are built by hand; the numbers in comments are the
rows below."""

from __future__ import annotations

import pandas as pd

from metrics import facade
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


def test_the_timeline_has_a_row_per_channel_in_the_vocabulary_order() -> None:
    colors = channel_colors()
    fig = jv.timeline(CONTACTS, colors, list(facade.CHANNELS))
    names = [t.name for t in fig.data]
    assert names == ["repeat of", "phone", "email", "chat", "opened"]
    assert list(fig.layout.yaxis.categoryarray) == ["chat", "email", "phone"]  # phone on top
    phone = fig.data[names.index("phone")]
    assert phone.marker.color == colors["phone"] and list(phone.marker.symbol) == ["diamond"]
    line = fig.data[0]
    assert list(line.y) == ["chat", "phone", None]  # only the repeat whose contact is shown
    hover = fig.data[names.index("chat")].customdata[0][0]
    assert "Billing error (Finance)" in hover and "<b>" not in hover
