"""Data: upload exports, see what every import did (log with every row accounted for, warnings and
notes; rejects, skipped rows, blanked values, audits), and edit the reference data (reason map, channel
costs, demand, targets) and the settings."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from metrics import facade, imports
from views.ui.export import safe_csv
from views.ui.reference_editor import reference_section, settings_section

st.title("Data")
st.caption("Import helpdesk, telephony and survey exports; check what was loaded, rejected, merged, "
           "skipped and flagged.")


# Every row of a file is accounted for: read = loaded + rejected + merged + skipped.
ROW_COLUMNS = {
    "rows_read": st.column_config.NumberColumn("read", help="Rows (records) in the file."),
    "rows_loaded": st.column_config.NumberColumn(
        "loaded", help="Rows of the file that were loaded (at least one contact or survey response "
                       "of them is kept)."),
    "rows_rejected": st.column_config.NumberColumn(
        "rejected", help="Rows that could not be used (see Rejects)."),
    "rows_merged": st.column_config.NumberColumn(
        "merged", help="Rows folded into another row of the same record: an older version of it, "
                       "another leg or child call of the same call."),
    "rows_skipped": st.column_config.NumberColumn(
        "skipped", help="Rows deliberately not loaded, with their reason (see Skipped rows): survey "
                        "previews and tests, monitoring records."),
    "rows_written": st.column_config.NumberColumn(
        "written", help="Contacts and survey responses the loaded rows gave (a ticket with a rating "
                        "gives both)."),
    "warnings": st.column_config.ListColumn("warnings", help="What KPIs will miss because of this file."),
    "notes": st.column_config.ListColumn("notes", help="What the reader decided or had to assume."),
}

summary = imports.warehouse_summary()
n_blanked = int(summary['blanked'])
# one row that wraps onto more on a narrow screen (seven columns cut the numbers at 800 px)
row = st.container(horizontal=True, gap="medium")
row.metric("Contacts", f"{summary['contacts']:,}", width="content")
row.metric("Survey responses", f"{summary['surveys']:,}", width="content")
row.metric("Customers", f"{imports.customer_count():,}", width="content")
row.metric("Imports", f"{summary['imports']:,}", width="content")
row.metric("Rejected rows", f"{summary['rejects']:,}", width="content")
row.metric("Skipped rows", f"{int(summary['skipped']):,}", width="content",
           help="Rows deliberately not loaded (survey previews and tests, monitoring records).")
row.metric("Blanked values", f"{n_blanked:,}", width="content",
           help="Impossible values (negative durations, an end before its start, a score off its "
                "scale) are never stored: the field is left empty and listed here.")
if summary["contacts"]:
    st.caption(f"Contacts from {summary['first_contact']:%Y-%m-%d} to {summary['last_contact']:%Y-%m-%d} (UTC).")
else:
    st.info("No data yet. Upload exports below, or build the demo company with "
            "`python -m connectors demo` (what `make run` does on first start).")

DATE_ORDERS = {"as the file and the format say": None, "day first (dd/mm)": "dmy",
               "month first (mm/dd)": "mdy", "year first (yyyy/mm/dd)": "ymd"}


def report(results: list, dry_run: bool) -> None:
    """Counts, warnings and notes of each file; a dry run also shows why its format was chosen and
    its first rows as canonical fields."""
    table = pd.DataFrame([r.as_dict() for r in results])
    ok = all(r.status not in ("failed", "empty") for r in results)
    verb = "would load" if dry_run else "loaded"
    (st.success if ok else st.error)(
        f"{sum(r.status == 'loaded' for r in results)} {verb}, "
        f"{sum(r.status == 'empty' for r in results)} with no usable row, "
        f"{sum(r.status == 'skipped' for r in results)} already imported, "
        f"{sum(r.status == 'failed' for r in results)} refused.")
    for r in results:
        if r.status in ("empty", "failed"):
            st.error(f"{r.file}: {r.message}")
        for w in r.warnings:
            st.warning(f"{r.file}: {w}")
        for n in r.notes:
            st.info(f"{r.file}: {n}")
    st.dataframe(table.drop(columns=["preview"], errors="ignore"), hide_index=True,
                 width="stretch", column_config=ROW_COLUMNS)
    for r in results:
        if dry_run and r.preview:
            st.caption(f"**{r.file}** as {r.format}: {r.chosen_because}. First rows as they would "
                       "be stored:")
            rows = pd.DataFrame(r.preview)
            for kind, part in rows.groupby("kind", sort=False):
                st.dataframe(part.drop(columns=["kind"]).dropna(axis=1, how="all"),
                             hide_index=True, width="stretch", key=f"preview_{r.file}_{kind}")


with st.expander("Import files", expanded=not summary["contacts"]):
    fmt_frame = imports.formats()
    with st.form("upload"):
        files = st.file_uploader("Export files", accept_multiple_files=True,
                                 help="CSV or JSON exports; the format is recognised automatically.")
        c1, c2, c3 = st.columns([2, 2, 2])
        fmt = c1.selectbox("Format", ["recognise automatically", *fmt_frame["format"]])
        tz = c2.text_input("Time zone of timestamps without offset", value="",
                           placeholder="the warehouse default (settings: import_timezone)")
        order = c3.selectbox("Dates that could be either order (03/04)", list(DATE_ORDERS),
                             help="Used only for a date column whose every value could be day- or "
                                  "month-first; a column with 14/01 or 01/14 decides by itself.")
        checked = st.form_submit_button("Check files", type="primary",
                                        help="Reads and checks the files; nothing is written yet.")
    if checked and files:
        upload = {"files": [(f.name, f.getvalue()) for f in files],
                  "format_name": None if fmt == "recognise automatically" else fmt,
                  "tz": tz.strip() or None, "date_order": DATE_ORDERS[order]}
        st.session_state["pending_upload"] = upload
        st.session_state["upload_check"] = imports.import_uploads(**upload, dry_run=True)
    elif checked:
        st.warning("Choose at least one file.")
    pending = st.session_state.get("pending_upload")
    if pending:
        st.markdown("**Check: nothing has been written yet.**")
        report(st.session_state.get("upload_check", []), dry_run=True)
        go, drop = st.columns(2)
        if go.button("Import these files", type="primary", key="upload_confirm"):
            bar = st.progress(0.0, text="starting")
            results = imports.import_uploads(
                **pending, progress=lambda frac, msg: bar.progress(min(max(frac, 0.0), 1.0),
                                                                   text=msg))
            bar.empty()
            st.cache_data.clear()
            for key in ("pending_upload", "upload_check"):
                st.session_state.pop(key, None)
            report(results, dry_run=False)
        elif drop.button("Discard", key="upload_discard"):
            for key in ("pending_upload", "upload_check"):
                st.session_state.pop(key, None)
            st.rerun()
    st.dataframe(fmt_frame, hide_index=True, width="stretch")

# Lazy tabs (both sets): only the open tab runs and draws, so a new session builds one table and
# one reference editor instead of ten.
log_tab, rejects_tab, skipped_tab, blanked_tab, audits_tab = st.tabs(
    ["Import log", "Rejects", "Skipped rows", "Blanked values", "Audits"], key="data_tab",
    on_change="rerun")
log = imports.import_log()
if log_tab.open:
    with log_tab:
        if log.empty:
            st.info("Nothing imported yet.")
        else:
            st.dataframe(log, hide_index=True, width="stretch",
                         column_config={**ROW_COLUMNS,
                                        "sha256": st.column_config.TextColumn(width="small")})
            st.download_button("Download import log (CSV)", safe_csv(log), "import_log.csv",
                               "text/csv")


def per_import(key: str, read: Callable[..., pd.DataFrame], empty: str, name: str,
               caption: str = "") -> None:
    """One import's rows (or all imports'): a picker, the table and its CSV download."""
    ids = log["import_id"].tolist() if not log.empty else []
    choice = st.selectbox("Import", ["all", *ids], key=f"{key}_import")
    rows = read(import_id=None if choice == "all" else int(choice))
    if rows.empty:
        st.success(empty)
        return
    if caption:
        st.caption(caption)
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button(f"Download {name} (CSV)", safe_csv(rows), f"{key}.csv", "text/csv")


if rejects_tab.open:
    with rejects_tab:
        per_import("rejects", imports.rejects, "No rejected rows.", "rejects")
if skipped_tab.open:
    with skipped_tab:
        per_import("skipped_rows", imports.skipped_rows, "No skipped rows.", "skipped rows",
                   "Each row was deliberately not loaded (a survey preview or test, a monitoring "
                   "record): not an error; the reason says why.")
if blanked_tab.open:
    with blanked_tab:
        per_import("blanked_values", imports.blanked_values,
                   "No impossible values: nothing was blanked.", "blanked values",
                   "Each row is one value that could not be true. The contact or response was "
                   "loaded; this field is empty in the warehouse, so it is left out of averages "
                   "and medians.")
if audits_tab.open:
    with audits_tab:
        audits = imports.audit_findings()
        if audits.empty:
            st.info("Audits run after each import.")
        else:
            audits.insert(0, "result", audits["rows_found"].map(
                lambda n: "✅ pass" if n == 0 else "⚠️ found"))
            st.dataframe(audits, hide_index=True, width="stretch")

st.subheader("Reference data and settings")
can_edit = facade.allowed("edit_reference")
if not can_edit:
    st.caption(f"Your role ({facade.role()}) can read and download these; analysts edit them.")
ref_tabs = st.tabs(["Reason map", "Channel costs", "Demand", "Targets", "Settings"],
                   key="reference_tab", on_change="rerun")
for tab, table in zip(ref_tabs, ("reason_map", "channel_costs", "demand", "targets"), strict=False):
    if tab.open:
        with tab:
            reference_section(table, can_edit)
if ref_tabs[-1].open:
    with ref_tabs[-1]:
        settings_section(can_edit)
