"""Streamlit entry point: navigation and nothing else (pages draw, the metrics facade computes)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Service scorecard", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/data.py", title="Data", icon="🗂️", url_path="data"),
]

st.navigation(PAGES).run()
