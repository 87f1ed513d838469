"""The board pack (views.ui.boardpack): the PDF an executive takes into a meeting.

Built on the session's 3,000-contact demo warehouse (tests/demo_warehouse.py, data to 2026-06-30)
for January to June 2026: five A4 landscape pages (cover, what needs attention, the scorecard on two
pages, ownership), the scope and "page i of n" on every page, every perspective title and KPI
label uncut, the charge-back total as the statement page shows it, status-coloured cells.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from metrics import __main__ as cli
from metrics import settings as settings_module
from tests.demo_warehouse import demo_db
from tests.pdf_text import pdf_text
from views.ui import boardpack
from views.ui.chargeback import format_row, latin1
from views.ui.charts import STATUS_COLORS
from views.ui.state import Filters

FILTERS = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
PAGES = 5


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_db(tmp_path_factory)


@pytest.fixture(scope="module")
def pack(db: Path) -> boardpack.Pack:
    return boardpack.collect(FILTERS, db)


@pytest.fixture(scope="module")
def data(pack: boardpack.Pack) -> bytes:
    return boardpack.pdf(pack)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_pdf_is_a4_landscape_with_the_expected_pages(data: bytes) -> None:
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == PAGES
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(float(w) > float(h) for w, h in boxes)  # landscape
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}  # A4 in pt


def test_every_page_states_scope_and_number(pack: boardpack.Pack, data: bytes) -> None:
    text = pdf_text(data)
    scope = latin1(pack.scope)
    assert scope.startswith("Northwind Home | all channels | all departments | "
                            "2026-01-01 to 2026-06-30 | vs previous period 2025-07-01 to 2025-12-31")
    assert text.count(scope) == PAGES
    for page in range(1, PAGES + 1):
        assert f"page {page} of {PAGES}" in text


def test_cover_names_company_period_comparison_and_scores(pack: boardpack.Pack,
                                                          data: bytes) -> None:
    text = pdf_text(data)
    assert pack.company == "Northwind Home"  # the demo's company_name setting
    assert "Northwind Home" in text and "Service scorecard" in text
    assert "01 January 2026 to 30 June 2026" in text
    assert "Compared with the previous period: 2025-07-01 to 2025-12-31" in text
    assert "Scope: all channels | all owning departments" in text
    assert "Data: contacts to" in text
    boxes = boardpack.score_boxes(pack)
    assert [b[0] for b in boxes] == ["Overall score", "Experience", "Operational",
                                     "Avoidable contact", "Cost and ownership"]
    for _, score, judged, status in boxes:
        assert re.fullmatch(r"\d+\.\d", score) and score in text
        assert judged in text and status in STATUS_COLORS


def test_every_perspective_title_and_kpi_label_uncut(pack: boardpack.Pack, data: bytes) -> None:
    text = pdf_text(data)
    for title in boardpack.PERSPECTIVES.values():
        assert title in text
    assert len(pack.kpis) >= 20
    for label in pack.kpis["label"]:
        assert latin1(label) in text, label


def test_attention_sentences_are_the_pages_own(pack: boardpack.Pack, data: bytes) -> None:
    text = " ".join(pdf_text(data).split())
    assert "What needs attention" in text
    assert len(pack.sentences) == len(pack.attention)
    for sentence in pack.sentences:  # wrapped over lines: compare the words
        words = latin1(sentence).split()
        assert " ".join(words[:4]) in text


def test_chargeback_total_and_departments(pack: boardpack.Pack, data: bytes) -> None:
    text = pdf_text(data)
    assert "Charge-back statement" in text and "Avoidable cost by owning department" in text
    total = pack.statement[pack.statement["department"] == "Total"].iloc[0].to_dict()
    cells = format_row(total, pack.currency)
    assert cells["cost"].endswith(" EUR") and cells["cost"] in text
    assert cells["avoidable_contacts"] in text
    for department in pack.statement["department"]:
        assert department in text


def test_status_cells_take_the_status_colour(pack: boardpack.Pack) -> None:
    rows = boardpack.table_rows(pack)
    assert [r.kpi for r in rows] == list(pack.kpis["id"])
    for r in rows:
        assert r.fill == STATUS_COLORS[r.status]
        if r.grey:  # a grey value says why
            assert r.note and r.word in ("not judged", "provisional", "n/a", "failed")
    first = pack.scored["kpi"].iloc[0]
    reddened = pack.scored.copy()
    reddened.loc[reddened["kpi"] == first, "status"] = "red"
    red = [r for r in boardpack.table_rows(replace(pack, scored=reddened)) if r.kpi == first][0]
    assert red.fill == STATUS_COLORS["red"] and red.word == "red flag" and not red.grey


def test_grey_reasons_are_readable(pack: boardpack.Pack) -> None:
    notes = {r.note for r in boardpack.table_rows(pack) if r.grey}
    assert any(n == "no target" for n in notes)  # inbound contacts have none
    assert all(n.startswith(("no target", "provisional", "n below", "not applicable",
                             "no value", "could not")) for n in notes)


def test_department_scope_is_on_every_page(db: Path) -> None:
    finance = FILTERS.with_(departments=("Finance",), cmp="yoy")
    pack = boardpack.collect(finance, db)
    data = boardpack.pdf(pack)
    text = pdf_text(data)
    assert text.count("all channels | Finance | 2026-01-01 to 2026-06-30 | vs same period last "
                      "year 2025-01-01 to 2025-06-30") == page_count(data)
    assert list(pack.statement["department"]) == ["Finance", "Total"]


def test_without_company_the_cover_says_service_scorecard(pack: boardpack.Pack) -> None:
    text = pdf_text(boardpack.pdf(replace(pack, company="")))
    assert "Northwind Home" not in text
    assert "Service scorecard | all channels | all departments" in text


def test_a_period_without_data_still_gives_a_pack(db: Path) -> None:
    data = boardpack.pdf_bytes(Filters(start=date(2030, 1, 1), end=date(2030, 1, 31)), db)
    assert data.startswith(b"%PDF")
    assert "No avoidable contacts in this period." in pdf_text(data)


def test_text_is_reduced_to_latin1() -> None:
    assert latin1("≤ €5 · −3 – ≥") == "<= EUR 5 | -3 - >="
    assert latin1("物流") == "??"


def test_file_name_states_the_scope() -> None:
    assert boardpack.file_name(Filters(start=date(2026, 6, 1), end=date(2026, 11, 30),
                                       departments=("Finance",))) \
        == "scorecard-2026-06-01-to-2026-11-30-finance.pdf"
    scopes = [FILTERS, FILTERS.with_(channels=("phone",)), FILTERS.with_(departments=("phone",)),
              FILTERS.with_(cmp="yoy"), FILTERS.with_(departments=("Customer Service",)),
              FILTERS.with_(departments=("物流",)), FILTERS.with_(departments=("物",)),
              FILTERS.with_(end=date(2026, 5, 31))]
    names = [boardpack.file_name(f) for f in scopes]
    assert all(n.endswith(".pdf") and re.fullmatch(r"[a-z0-9.-]+", n) for n in names)
    assert len(set(names)) == len(names)
    assert names[1] == "scorecard-2026-01-01-to-2026-06-30-channel-phone.pdf"
    assert names[4] == "scorecard-2026-01-01-to-2026-06-30-customer-service.pdf"


def test_cli_writes_the_pdf(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack" / "finance.pdf"
    code = cli.main(["boardpack", "--db", str(db), "--period", "2026-01-01:2026-06-30",
                     "--department", "Finance", "--out", str(out)])
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "| Finance | 2026-01-01 to 2026-06-30" in pdf_text(out.read_bytes())


def test_cli_default_period_and_bad_usage(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "default.pdf"
    assert cli.main(["boardpack", "--db", str(db), "--out", str(out)]) == 0
    assert "2025-07-01 to 2026-06-30" in pdf_text(out.read_bytes())  # the demo's last 12 months
    assert cli.main(["boardpack", "--db", str(db), "--period", "2026-06-01",
                     "--out", str(out)]) == 2
    assert cli.main(["boardpack", "--db", str(db), "--period", "2026-06-30:2026-01-01",
                     "--out", str(out)]) == 2


def test_company_name_setting() -> None:
    assert settings_module.DEFAULTS["company_name"] == ""
    assert settings_module.validate({"company_name": "Northwind Home"}) == []
    assert settings_module.validate({"company_name": ""}) == []
    assert settings_module.validate({"company_name": "x" * 81})
