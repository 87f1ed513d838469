"""The global filters in the sidebar, bound to the URL (``views.ui.state`` holds the pure part).

``global_filters()`` is called by every page: it reads the query string, draws the widgets (period,
grain, comparison, channel, department), writes the chosen values back to the URL so the view can be
shared as a link, and returns the ``Filters`` the page should use.
"""

from __future__ import annotations

import os
from datetime import date

import streamlit as st

from metrics import facade, imports
from views.ui.state import COMPARISONS, GRAINS, Filters, decode, default_filters, encode

KEYS = ("from", "to", "grain", "cmp", "channel", "dept")


@st.cache_data(ttl=600, show_spinner=False)
def _known(dim: str, generation: str) -> list[str]:  # noqa: ARG001 (a cache key: no leading _)
    frame = facade.run(facade.Query.of("contacts", grain="all", dimensions=[dim]))
    values = frame[dim].dropna().astype(str) if dim in frame.columns else []
    return sorted(set(values))


def _generation() -> str:
    """Changes with the warehouse file and after every import, so the cached channel/department
    lists follow the data (and never leak from one warehouse to another in the same process)."""
    summary = imports.warehouse_summary()
    return f"{os.environ.get('SCORECARD_DB', '')}|{summary['imports']}|{summary['contacts']}"


def last_data_day() -> date | None:
    last = imports.warehouse_summary().get("last_contact")
    try:
        return last.date() if last is not None and last == last else None  # type: ignore[union-attr]
    except AttributeError:
        return None


def global_filters() -> Filters:
    gen = _generation()
    channels, departments = _known("channel", gen), _known("department", gen)
    defaults = default_filters(last_data_day(), date.today(),
                               facade.settings().get("default_period", "last_6_months"))
    params = {k: st.query_params.get_all(k) for k in KEYS if k in st.query_params}
    current, notices = decode(params, defaults, channels, departments)
    for notice in notices:
        st.toast(notice, icon="⚠️")
    sb = st.sidebar
    sb.header("Filters")
    period = sb.date_input("Period", value=(current.start, current.end), format="YYYY-MM-DD",
                           key="f_period")
    if isinstance(period, tuple) and len(period) == 2:
        current = current.with_(start=period[0], end=period[1])
    grain = sb.selectbox("Grain", GRAINS, index=GRAINS.index(current.grain), key="f_grain")
    cmp_keys = list(COMPARISONS)
    cmp = sb.radio("Compare with", cmp_keys, index=cmp_keys.index(current.cmp),
                   format_func=COMPARISONS.get, key="f_cmp", horizontal=True)
    chosen_channels = sb.multiselect("Channel", channels, default=list(current.channels),
                                     key="f_channel", placeholder="all channels")
    chosen_depts = sb.multiselect("Owning department", departments,
                                  default=list(current.departments), key="f_dept",
                                  placeholder="all departments")
    current = current.with_(grain=grain, cmp=cmp, channels=tuple(chosen_channels),
                            departments=tuple(chosen_depts))
    wanted = encode(current)
    for key in KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]
    if sb.button("Reset filters", width="stretch"):
        for key in KEYS:
            if key in st.query_params:
                del st.query_params[key]
        for key in ("f_period", "f_grain", "f_cmp", "f_channel", "f_dept"):
            st.session_state.pop(key, None)
        st.rerun()
    return current
