from __future__ import annotations

from functools import partial

from connectors.base import ReadOptions
from connectors.loader import load_file as _load_file
from tests.conftest import counts

# Models are not asserted here: skip their refresh to keep the tests fast.
load_file = partial(_load_file, refresh=False)


def _rows(con):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT source_record_id, csat, nps, ces, resolved, comment, channel, case_id, "
        "strftime(responded_at, '%Y-%m-%d %H:%M') FROM survey_responses "
        "WHERE source = 'typeform' ORDER BY 1").fetchall()}


def test_typeform_titles_hidden_fields_and_partials(con, fixtures):
    # --tz does not apply: Typeform dates are UTC.
    result = load_file(con, fixtures / "survey" / "typeform_responses.csv",
                       options=ReadOptions(tz="Europe/Berlin"))
    assert result.format == "typeform"
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_rejected) == (
        "loaded", 4, 3, 1)
    rows = _rows(con)
    assert rows["a1b2c3d4e5"] == (5.0, 9, 6, True, 'Fast, friendly and "really" helpful', "chat",
                                  "1001", "2025-03-03 10:02")
    assert rows["f6g7h8i9j0"] == (2.0, 3, 2, False, None, "email", "1004", "2025-03-03 11:05")
    # A partial response with a score is kept, timed by its Stage Date; one without is rejected.
    assert rows["k1l2m3n4o5"] == (4.0, None, None, None, None, "messaging", None, "2025-03-04 08:00")
    assert con.execute("SELECT line, reason, raw FROM rejects").fetchall() == [
        (5, "partial response without a score", "p6q7r8s9t0")]


def test_typeform_reimport_and_truncated_change_nothing(con, fixtures):
    load_file(con, fixtures / "survey" / "typeform_responses.csv")
    before = counts(con)
    assert load_file(con, fixtures / "survey" / "typeform_responses.csv").status == "skipped"
    broken = load_file(con, fixtures / "survey" / "typeform_truncated.csv")
    assert broken.status == "failed" and "truncated" in broken.message
    assert counts(con) == before


def test_typeform_older_export_repeated_option_columns(con, tmp_path):
    # No Response Type / Stage Date; a multiple choice with one column per option (titles repeat).
    f = tmp_path / "t.csv"
    f.write_text("#,Which channel did you use?,Which channel did you use?,"
                 "How would you rate us (0-10)? How likely is it you'd recommend us?,Why?,"
                 "Start Date (UTC),Submit Date (UTC),Network ID\n"
                 "tok1,Phone,,8,Because,2024-11-02 09:00:00,2024-11-02 09:03:00,abc\n"
                 "tok1,Phone,,9,Because,2024-11-02 09:00:00,2024-11-02 09:04:00,abc\n")
    result = load_file(con, f)
    # The same token twice (a re-sent row): one response, the later submit wins.
    assert (result.format, result.rows_read, result.rows_loaded) == ("typeform", 2, 1)
    assert _rows(con) == {"tok1": (None, 9, None, None, "Because", None, None, "2024-11-02 09:04")}


def test_typeform_missing_token_column_is_refused(con, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("Token,How satisfied?,Submit Date (UTC)\nx,5,2025-01-01 10:00:00\n")
    result = load_file(con, f, format_name="typeform")
    assert result.status == "failed"
    assert "missing required column(s): #" in result.message
