"""The demo company's simulation: nothing it exports happens after the export was taken."""

from __future__ import annotations

from datetime import date

import pandas as pd

from connectors.demo.simulate import simulate


def test_no_contact_or_survey_response_after_the_last_day() -> None:
    # responses come 0.5-48 h after their contact: those of the last two days' contacts would
    # fall after the export (the end of the last day) and must not exist yet
    last = date(2026, 6, 30)
    sim = simulate(3000, date(2026, 1, 1), last, seed=3)
    cut = pd.Timestamp(last) + pd.Timedelta(days=1)
    assert (sim.contacts["opened_at"] < cut).all()
    assert len(sim.surveys) > 0 and (sim.surveys["responded_at"] < cut).all()
    # responses to the last day's contacts that came the same day are still there
    assert (sim.surveys["responded_at"] >= pd.Timestamp(last)).any()
