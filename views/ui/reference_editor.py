"""Widgets of the Data page for the reference tables (reason map, channel costs, demand, targets)
and the warehouse settings: an editable grid, CSV download and upload, a settings form.

Every write goes through the facade (``save_reference``, ``save_settings``), which validates every
row first and writes nothing when any is bad; the problems come back with their line (the header
is line 1, so the grid's first row is line 2) and are listed here. After a save the grid's widget
key changes, so it reloads from the warehouse instead of keeping the edited copy.
"""

from __future__ import annotations

import json
from zoneinfo import available_timezones

import pandas as pd
import streamlit as st

from metrics import facade
from views.ui.export import safe_csv

HELP = {
    "reason_map": "Contact reason -> label, owning department, avoidable yes/no and its "
                  "value/irritant quadrant (eliminate, simplify, automate, leverage), valid from/to.",
    "channel_costs": "Cost per handle minute and per contact of each channel, from a date on "
                     "(the rate valid on the contact's date applies), and the currency.",
    "demand": "Demand units per month: orders, shipments, invoices, active customers; department "
              "'*' means the whole company. Contacts per X divide contacts by these.",
    "targets": "Target and red flag per KPI, per channel and department ('*' = any) and period; "
               "the KPI file's defaults apply where no row does.",
}
DATE_COLUMNS = ("valid_from", "valid_to", "period")
QUADRANTS = ["eliminate", "simplify", "automate", "leverage"]


def _for_grid(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in DATE_COLUMNS:
        if column in out.columns:
            out[column] = pd.to_datetime(out[column], errors="coerce").dt.date
    return out


def _for_save(frame: pd.DataFrame) -> pd.DataFrame:
    """Grid values -> plain Python values (missing -> None) for the facade's validation."""
    out = frame.astype(object)
    return out.where(out.notna(), None)


def _show_problems(problems: list[str]) -> None:
    st.error(f"Nothing was saved: {len(problems)} problem(s). Line 1 is the header, so the "
             "first row is line 2.")
    st.code("\n".join(problems[:50]) + ("\n..." if len(problems) > 50 else ""), language=None)


def _saved(table: str, rows: int, mode: str) -> None:
    st.session_state[f"ref_gen_{table}"] = st.session_state.get(f"ref_gen_{table}", 0) + 1
    st.session_state[f"ref_msg_{table}"] = f"{table}: {rows} row(s) saved ({mode}); models rebuilt."
    st.cache_data.clear()


def reference_section(table: str, can_edit: bool) -> None:
    """The grid, the downloads and (for editors) the upload of one reference table."""
    st.caption(HELP[table])
    message = st.session_state.pop(f"ref_msg_{table}", None)
    if message:
        st.success(message)
    frame = _for_grid(facade.reference_frame(table))
    config: dict[str, object] = {c: st.column_config.DateColumn(c, format="YYYY-MM-DD")
                                 for c in DATE_COLUMNS if c in frame.columns}
    if table == "reason_map":
        config["quadrant"] = st.column_config.SelectboxColumn("quadrant", options=QUADRANTS)
        config["avoidable"] = st.column_config.CheckboxColumn("avoidable", default=False)
    if not can_edit:
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    else:
        generation = st.session_state.get(f"ref_gen_{table}", 0)
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, width="stretch",
                                column_config=config, key=f"ref_editor_{table}_{generation}")
        buttons = st.container(horizontal=True)
        if buttons.button(f"Save {table}", key=f"ref_save_{table}", type="primary"):
            try:
                summary = facade.save_reference(table, _for_save(edited))
            except facade.ReferenceDataError as exc:
                _show_problems(exc.problems)
            else:
                _saved(table, summary.rows, summary.mode)
                st.rerun()
        buttons.download_button(f"Download {table}.csv", safe_csv(facade.reference_frame(table)),
                                f"{table}.csv", "text/csv", key=f"ref_download_{table}")
    if not can_edit:
        st.download_button(f"Download {table}.csv", safe_csv(facade.reference_frame(table)),
                           f"{table}.csv", "text/csv", key=f"ref_download_{table}")
        return
    with st.form(f"ref_upload_{table}", clear_on_submit=True):
        upload = st.file_uploader(f"Upload {table}.csv", type=["csv"], key=f"ref_file_{table}",
                                  help="The header names the columns, as in the download.")
        mode = st.radio("Rows", ["replace", "append"], horizontal=True, key=f"ref_mode_{table}",
                        format_func={"replace": "replace the table",
                                     "append": "append to the table"}.get)
        submitted = st.form_submit_button("Import CSV")
    if submitted and upload is not None:
        try:
            summary = facade.save_reference(table, upload.getvalue(), replace=mode == "replace")
        except facade.ReferenceDataError as exc:
            _show_problems(exc.problems)
        else:
            _saved(table, summary.rows, summary.mode)
            st.rerun()


def _hours_frame(raw: str) -> pd.DataFrame:
    try:
        hours = json.loads(raw or "{}")
    except json.JSONDecodeError:
        hours = {}
    items = hours.items() if isinstance(hours, dict) else []
    return pd.DataFrame([{"channel": str(k), "hours": str(v)} for k, v in items],
                        columns=["channel", "hours"])


def settings_section(can_edit: bool) -> None:
    """Business and import time zones, opening hours per channel, phone region, service dept."""
    current = facade.settings()
    message = st.session_state.pop("settings_msg", None)
    if message:
        st.success(message)
    zones = sorted(available_timezones())
    with st.form("settings_form"):
        c1, c2 = st.columns(2)
        business = c1.selectbox("Business time zone (periods and hours of the week)", zones,
                                index=zones.index(current["business_timezone"])
                                if current["business_timezone"] in zones else 0,
                                disabled=not can_edit, key="settings_business_tz")
        import_tz = c2.selectbox("Import time zone (timestamps without an offset)", zones,
                                 index=zones.index(current["import_timezone"])
                                 if current["import_timezone"] in zones else 0,
                                 disabled=not can_edit, key="settings_import_tz")
        region = c1.text_input("Default phone region (two letters, for numbers without +)",
                               value=current["default_phone_region"], max_chars=2,
                               disabled=not can_edit, key="settings_region")
        service = c2.text_input("Service department (its avoidable contacts are 'caused by "
                                "service')", value=current["service_department"],
                                disabled=not can_edit, key="settings_service")
        orders = ["dmy", "mdy", "ymd"]
        order = c1.selectbox("Dates that could be either order (08/01/2025), when neither the file "
                             "nor its format decides", orders,
                             index=orders.index(current.get("date_order", "mdy"))
                             if current.get("date_order", "mdy") in orders else 1,
                             format_func={"dmy": "day first (dd/mm)", "mdy": "month first (mm/dd)",
                                          "ymd": "year first (yyyy/mm/dd)"}.get,
                             disabled=not can_edit, key="settings_date_order")
        periods = list(facade.DEFAULT_PERIODS)
        period = c2.selectbox("The period pages open on (when a link names none)", periods,
                              index=periods.index(current.get("default_period", "last_6_months"))
                              if current.get("default_period") in periods else 2,
                              format_func=facade.DEFAULT_PERIODS.get, disabled=not can_edit,
                              key="settings_default_period")
        company = c1.text_input("Company name (the board pack's cover)",
                                value=current.get("company_name", ""), max_chars=80,
                                disabled=not can_edit, key="settings_company")
        st.caption("Opening hours per channel, HH:MM-HH:MM in the business time zone.")
        hours = st.data_editor(_hours_frame(current["opening_hours"]), num_rows="dynamic",
                               hide_index=True, disabled=not can_edit, key="settings_hours")
        submitted = st.form_submit_button("Save settings", type="primary", disabled=not can_edit,
                                          key="settings_save")
    if not submitted:
        return
    rows = hours.dropna(subset=["channel"])
    values = {"business_timezone": business, "import_timezone": import_tz,
              "default_phone_region": region.strip().upper(), "service_department": service,
              "date_order": str(order), "default_period": str(period),
              "company_name": company.strip(),
              "opening_hours": json.dumps({str(r["channel"]).strip(): str(r["hours"] or "").strip()
                                           for r in rows.to_dict("records")
                                           if str(r["channel"]).strip()})}
    try:
        changed = facade.save_settings(values)
    except facade.SettingsError as exc:
        _show_problems_settings(exc.problems)
        return
    st.session_state["settings_msg"] = (f"Saved: {', '.join(changed)}." if changed
                                        else "No change.")
    st.cache_data.clear()
    st.rerun()


def _show_problems_settings(problems: list[str]) -> None:
    st.error(f"Nothing was saved: {len(problems)} problem(s).")
    st.code("\n".join(problems), language=None)
