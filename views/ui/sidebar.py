"""The global filters in the sidebar, bound to the URL (``views.ui.state`` holds the pure part).

``global_filters()`` is called by every page: it draws the widgets (period, grain, comparison and
one multiselect per member filter: channel, department, reason, queue, team), keeps them and the URL
in step, and returns the ``Filters`` the page should use.

Which side wins: the URL when it changed behind our back (a shared link, Back/Forward, a link from
another page), the widgets otherwise. The session remembers the filter part of the URL it last
wrote (``SYNCED``); a URL that differs from it is read into the widgets' session state before they
are drawn. Every change is then written back to the URL, which Streamlit pushes onto the browser
history, so Back undoes a filter or a chart click. A chart click goes through ``toggle`` (an
``on_select`` callback: it runs before the script, the one moment a widget's state may be set), so
it sets exactly the same filter as the sidebar. A page opened from the menu (no filters in its URL)
carries the session's filters over.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import streamlit as st

from metrics import facade, imports
from views.ui.state import (
    BY_DIMENSION,
    COMPARISONS,
    GRAINS,
    MEMBER_FILTERS,
    Filters,
    decode,
    default_filters,
    encode,
)
from views.ui.tiles import plain

KEYS = ("from", "to", "grain", "cmp", *(m.key for m in MEMBER_FILTERS))
SYNCED = "_filters_url"  # the filter part of the URL this session last wrote
PERIOD, GRAIN, CMP = "f_period", "f_grain", "f_cmp"
NOT_A_MEMBER = ("", "None", "nan", "(none)", "other")


def widget_key(dimension: str) -> str:
    return f"f_{BY_DIMENSION[dimension].key}"


def known(dimension: str) -> list[str]:
    """Every member of ``dimension`` (channel, department, reason, queue, team) in the warehouse
    (the facade caches the query per warehouse and drops it after an import)."""
    frame = facade.run(facade.Query.of("contacts", grain="all", dimensions=[dimension]))
    values = frame[dimension].dropna().astype(str) if dimension in frame.columns else []
    return sorted(set(values))


def reason_labels() -> dict[str, str]:
    """Reason code -> its label in the reason map (the newest one); codes without one are absent.
    Read from the facade's cached reference table, so an edited reason map shows at once."""
    frame = facade.reference_frame("reason_map")
    if frame.empty or "label" not in frame.columns:
        return {}
    frame = frame.dropna(subset=["reason"]).sort_values("valid_from" if "valid_from" in frame
                                                       else "reason")
    return {str(r): str(lbl) for r, lbl in zip(frame["reason"], frame["label"], strict=True)
            if lbl is not None and lbl == lbl}


def last_data_day() -> date | None:
    last = imports.warehouse_summary().get("last_contact")
    try:
        return last.date() if last is not None and last == last else None  # type: ignore[union-attr]
    except AttributeError:
        return None


def _url() -> dict[str, str]:
    return {k: ",".join(st.query_params.get_all(k)) for k in KEYS if k in st.query_params}


def _to_widgets(f: Filters) -> None:
    """Put ``f`` into the widgets' session state (before they are drawn in this run)."""
    st.session_state[PERIOD] = (f.start, f.end)
    st.session_state[GRAIN] = f.grain
    st.session_state[CMP] = f.cmp
    for member in MEMBER_FILTERS:
        st.session_state[widget_key(member.dimension)] = list(f.members(member.dimension))


CLICKS = "_chart_clicks"  # bumped by every chart click: charts get fresh keys, no stale selection


def clickable(dimension: str, name: str) -> dict[str, object]:
    """``st.plotly_chart`` keyword arguments that make a chart's points a cross-filter on
    ``dimension`` (their ``customdata`` is the member). The key carries a click counter so that a
    chart drawn after a click starts without a selection: clicking the same bar again toggles it
    off instead of being swallowed as "no change"."""
    key = f"{name}_{st.session_state.get(CLICKS, 0)}"
    return {"key": key, "on_select": functools.partial(toggle, dimension, key),
            "selection_mode": "points"}


def clicked_point(chart_key: str) -> object:
    """The ``customdata`` of the point a chart's ``on_select`` reports (None without one)."""
    state = st.session_state.get(chart_key)
    points = getattr(getattr(state, "selection", None), "points", None) or []
    return points[0].get("customdata") if points else None


def toggle(dimension: str, chart_key: str) -> None:
    """``on_select`` callback of a chart whose points carry a member in ``customdata``: a click on
    a member adds it to (or, when already chosen, removes it from) the same filter the sidebar
    shows. Clicks on several charts combine; '(none)' and 'other' are not members."""
    custom = clicked_point(chart_key)
    if custom is not None:
        toggle_member(dimension, str(custom[0] if isinstance(custom, list | tuple) else custom))


def pick_member(dimension: str) -> Callable[[str], None]:
    """The ``figure.draw`` click callback that toggles the clicked member of ``dimension``."""
    return functools.partial(toggle_member, dimension)


def toggle_member(dimension: str, value: str) -> None:
    """Add ``value`` to (or, when already chosen, remove it from) the filter on ``dimension`` the
    sidebar shows, before the widgets are drawn; '(none)', 'other' and unknown values are not
    members and change nothing."""
    if value in NOT_A_MEMBER or value not in known(dimension):
        return
    key = widget_key(dimension)
    chosen = list(st.session_state.get(key) or [])
    st.session_state[key] = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    st.session_state[CLICKS] = st.session_state.get(CLICKS, 0) + 1


def _reset() -> None:
    for key in (PERIOD, GRAIN, CMP, *(widget_key(m.dimension) for m in MEMBER_FILTERS)):
        st.session_state.pop(key, None)
    st.session_state[SYNCED] = None  # read the (now empty) URL again: the defaults
    for key in KEYS:
        if key in st.query_params:
            del st.query_params[key]


def global_filters() -> Filters:
    members = {m.dimension: known(m.dimension) for m in MEMBER_FILTERS}
    defaults = default_filters(last_data_day(), date.today(),
                               facade.settings().get("default_period", "last_6_months"))
    url, synced = _url(), st.session_state.get(SYNCED)
    if not url and synced:
        url = synced  # opened from the menu: keep the session's filters
    drawn = all(k in st.session_state for k in (PERIOD, GRAIN, CMP))
    if url != synced or not drawn:
        current, notices = decode(url, defaults, members)
        for notice in notices:
            st.toast(plain(notice), icon="⚠️")  # it quotes the URL: never Markdown
        _to_widgets(current)
    else:  # another page's widgets: their state would be dropped (each page has its own widget
        for key in (PERIOD, GRAIN, CMP, *(widget_key(m.dimension) for m in MEMBER_FILTERS)):
            if key in st.session_state:  # ids), so it is handed over as the session's own value
                st.session_state[key] = st.session_state[key]
    sb = st.sidebar
    sb.header("Filters")
    period = sb.date_input("Period", format="YYYY-MM-DD", key=PERIOD)
    start, end = (period if isinstance(period, tuple) and len(period) == 2
                  else (defaults.start, defaults.end))
    grain = sb.selectbox("Grain", GRAINS, key=GRAIN)
    cmp = sb.radio("Compare with", list(COMPARISONS), format_func=COMPARISONS.get, key=CMP,
                   horizontal=True)
    current = Filters(start=start, end=end, grain=grain, cmp=cmp)
    labels = reason_labels()  # once per run: a format_func is called for every option
    for member in MEMBER_FILTERS:
        key = widget_key(member.dimension)
        options = members[member.dimension]
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in options]
        shown = labels if member.dimension == "reason" else {}
        chosen = sb.multiselect(member.label, options, key=key, placeholder=member.everything,
                                format_func=lambda v, names=shown: names.get(v, v))
        current = current.with_member(member.dimension, chosen)
    wanted = encode(current)
    for key in KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]
    st.session_state[SYNCED] = wanted
    sb.button("Reset filters", width="stretch", on_click=_reset)
    return current
