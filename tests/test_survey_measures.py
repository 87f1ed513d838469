from __future__ import annotations

import pandas as pd
import pytest

from connectors.base import FormatError
from connectors.survey import measures as m


def test_answers_read_as_scores():
    csat, scale = m.csat(pd.Series(["Very satisfied", "Eher unzufrieden", "4", "", "5 - Great", "7"]),
                         scale=5)
    assert scale == 5
    assert csat.tolist()[:3] == [5.0, 2.0, 4.0] and pd.isna(csat[3]) and csat[4] == 5.0
    assert csat[5] == 7.0  # off the 1-5 scale: passed on for the loader to blank and record
    assert m.csat(pd.Series(["3", "9"]))[1] == 10  # answers above 5: a 0-10 scale
    assert m.csat(pd.Series(["3", "55"]))[1] == 5  # but not above 10: 55 is off any scale
    nps = m.nps(pd.Series(["10 - Extremely likely", "0", "11", "x", "7.5"]))
    assert nps.tolist()[:3] == [10, 0, 11] and pd.isna(nps[3]) and pd.isna(nps[4])
    assert m.ces(pd.Series(["Strongly agree", "Stimme eher nicht zu", "4"])).tolist() == [7, 3, 4]
    assert m.resolved(pd.Series(["Yes, fully", "Nein", "0", "maybe"])).tolist()[:3] == [
        True, False, False]
    assert m.channel(pd.Series(["E-Mail", "Telefon", "WhatsApp", "Fax"])).tolist() == [
        "email", "phone", "messaging", "other"]


def test_a_free_text_question_about_satisfaction_is_not_csat():
    f = pd.DataFrame({"Q1": ["Why were you satisfied?", "It was fast"], "Q2": ["4", "5"]})
    qs = [m.Question("Q1", "Why were you satisfied or not?"), m.Question("Q2", "Wie zufrieden?")]
    assert m.pick(f, qs, {}, "t") == {"csat": "Q2", "comment": "Q1"}


def test_override_keys_are_checked():
    with pytest.raises(FormatError, match="may name"):
        m.override_of({"score": "Q1"}, "t")
    with pytest.raises(FormatError, match="kind: questions"):
        m.override_of({"kind": "contacts", "columns": {"csat": "Q1"}}, "t")
    assert m.override_of({"kind": "questions", "columns": {"csat": "Q1"},
                          "defaults": {"csat_scale": "10"}}, "t") == {"csat": "Q1", "csat_scale": 10}
