"""The Scorecard's "Board pack" button: the PDF of ``views.ui.boardpack`` for the page's filters,
built only when clicked (deferred download data), never on every rerun."""

from __future__ import annotations

import streamlit as st

from views.ui.state import Filters


def draw(filters: Filters) -> None:
    from views.ui import boardpack

    st.download_button("Board pack", data=lambda: boardpack.pdf_bytes(filters),
                       file_name=boardpack.file_name(filters), mime="application/pdf",
                       icon=":material/picture_as_pdf:", width="content",
                       help="A4 landscape PDF of this scorecard for the meeting: scores, what needs "
                            "attention, the KPI tables and the charge-back statement.")
