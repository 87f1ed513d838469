"""AppTest tests of the customer journey page on the hand-counted warehouse of
tests/journey_data.py (seven contacts of customer k1; its docstring has every answer), opened by
URL as the Channels page links to it: ``journey?contact=<masked id>&<filters>``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import demo_warehouse
from tests.journey_data import MARKUP, TWIN_MASK, build, m

APP = str(Path(__file__).resolve().parents[1] / "app.py")
RANGE = {"from": "2024-03-01", "to": "2024-03-31"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = build(tmp_path_factory.mktemp("journey_app") / "journey.duckdb")
    with demo_warehouse.as_default(path):
        yield path


def journey(params: dict[str, str]) -> AppTest:
    return demo_warehouse.run_page("journey", params)


def markup(at: AppTest) -> str:
    """The HTML of the contact list (the page's one ``st.html`` block)."""
    return "\n".join(e.proto.body for e in at.get("html"))


def timeline(at: AppTest) -> list[str]:
    """The markup of the timeline(s) the figure component draws (the page has no Plotly)."""
    return [str(json.loads(e.proto.json)) for e in at.main if type(e).__name__ == "UnknownElement"
            and getattr(e.proto, "component_name", "") == "html_chart"]


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "warning", "info", "text")
                    for e in at.get(kind))


def test_the_customers_contacts_with_repeats_linked(db: Path) -> None:
    at = journey({**RANGE, "contact": m("j5"), "kpi": "repeat_rate"})
    assert not at.exception, [e.value for e in at.exception]
    # k1: 7 contacts on phone, email, chat, web; repeats j2 j3 j5 j7; j1 transferred; 3 responses
    assert ("**7** contacts on **4** channels, 2024-03-01 to 2024-03-22 · **4** repeats · "
            "**1** transferred · **3** survey responses") in texts(at)
    assert not at.get("plotly_chart")
    (drawn,) = timeline(at)
    # a dot per contact, each going to its card; j5 (opened) ringed; one dotted line per repeat
    # whose contact is shown (j2 j3 j5 j7)
    assert drawn.count('<a class="jd') == 7 and drawn.count("<line ") == 4
    assert re.search(rf'class="jd[a-z ]* op" href="#c-{m("j5")[1:]}"', drawn)
    html = markup(at)
    assert html.count('class="card') == 7 + 1  # the contacts and the responses linked to none
    assert re.search(rf'class="card opened" id="c-{m("j5")[1:]}"', html)
    # j5 repeats j2 (card no. 2), j7 repeats j6 (no. 6); j1 is repeated by j2 and j3
    assert f'repeat of <a href="#c-{m("j2")[1:]}">no. 2 {m("j2")}</a>' in html
    assert f'repeat of <a href="#c-{m("j6")[1:]}">no. 6 {m("j6")}</a>' in html
    assert html.count('repeated by <a href="#c-') == 4  # j1 by j2 and j3, j2 by j5, j6 by j7
    assert html.count(">transferred<") == 1
    assert "z:j" not in html and "k1" not in html  # nothing raw
    links = at.get("page_link")
    assert links and "kpi=repeat_rate" in str(links[0].proto) and "2024-03-01" in str(links[0].proto)


def test_comments_are_text_for_a_lead_and_hidden_for_a_viewer(db: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCORECARD_ROLE", "lead")
    html = markup(journey({**RANGE, "contact": m("j1")}))
    assert "&lt;img src=x onerror=alert(1)&gt; **bold** [link](https://example.com)" in html
    assert "<img" not in html and "https://example.com\"" not in html
    monkeypatch.setenv("SCORECARD_ROLE", "viewer")
    at = journey({**RANGE, "contact": m("j1")})
    assert "onerror" not in markup(at) and "CSAT 2 (1-5)" in markup(at)
    assert "your role (viewer) sees the scores only" in texts(at)


@pytest.mark.parametrize("value", [MARKUP, "#zzzzzzzz", "[x](javascript:alert(1))"])
def test_a_wrong_contact_value_is_refused_as_plain_text(db: Path, value: str) -> None:
    at = journey({**RANGE, "contact": value})
    assert not at.exception, [e.value for e in at.exception]
    assert "is not a masked contact id" in at.warning[0].value
    assert at.text[0].value == value  # echoed as plain text, never through markdown
    assert value not in " ".join(e.value for e in at.markdown)
    assert not at.get("plotly_chart") and not at.get("html") and not timeline(at)


def test_an_unknown_or_missing_contact_says_so(db: Path) -> None:
    at = journey({**RANGE, "contact": "#00000000"})
    assert not at.exception and "No contact in this warehouse" in at.warning[0].value
    at = journey(RANGE)
    assert not at.exception and "No contact chosen" in at.warning[0].value
    assert at.get("page_link")  # the way back


def test_a_contact_without_a_customer_and_a_shared_mask(db: Path) -> None:
    at = journey({**RANGE, "contact": m("j9")})
    assert not at.exception and "no customer identity" in at.info[0].value
    assert markup(at).count('class="card') == 1
    at = journey({"from": "2024-01-01", "to": "2024-01-31", "contact": TWIN_MASK})
    assert not at.exception and "2 contacts share the masked id" in at.warning[0].value
    assert len(at.selectbox(key=f"j_choice_{TWIN_MASK}").options) == 2
