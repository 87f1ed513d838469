"""Metric editor (analysts): the KPI catalog, a KPI file's text with validation on every change,
a check that it runs on the warehouse, the target in force and where it comes from, a preview of
the edited text against the saved version on the current data and filters, the KPI's own SQL and
parameters (the compiled and transpiled statement behind an expander), and save with history and
revert. A text with problems, or one that does not run, is never saved (``facade.save_kpi``
checks both again); viewers and leads see everything read-only. Problems read
``<id>.sql:<line>:<column>: ...`` with the file's line under them, also for DuckDB's errors
(which count the compiled statement's lines: ``kpi_errors.locate`` maps them back)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from metrics import facade
from views.ui import figure
from views.ui.editor_view import (
    NEW_KPI_TEMPLATE,
    compare,
    compare_chart,
    diff,
    header_and_body,
    parameter_rows,
    problem_block,
    target_in_force,
    target_sentence,
)
from views.ui.sidebar import global_filters

log = logging.getLogger(__name__)

NEW = "+ new KPI"
DIALECTS = ("spark", "postgres", "snowflake", "bigquery")

st.title("Metric editor")
filters = global_filters()
can_edit = facade.allowed("edit_kpis")
st.caption("Every KPI is one SQL file: a header of `-- key: value` lines and one SELECT over one "
           "model. " + ("Edits are validated and run on the newest data on every change (Ctrl+Enter "
                        "or leave the field) and saved only when they have no problem and run; "
                        "every saved version is kept."
                        if can_edit else f"Your role ({facade.role()}) can read but not edit."))

catalog = facade.catalog()
table = facade.kpi_table()
# On demand (a toggle, not an expander: a closed expander's table still loads the grid script)
if st.toggle(f"Show the catalog: {len(table)} KPIs", key="editor_catalog"):
    st.dataframe(table[["id", "label", "perspective", "unit", "direction", "description", "min_n",
                        "target", "red_flag", "weight", "model"]],
                 hide_index=True, width="stretch",
                 column_config={"description": st.column_config.TextColumn(width="large")})
if catalog.problems:
    st.warning(f"{len(catalog.problems)} problem(s) in the saved files; those KPIs are left out "
               "until fixed:")
    st.code("\n".join(str(p) for p in catalog.problems[:20]), language=None)

broken = sorted({p.file.removesuffix(".sql") for p in catalog.problems})
ids = sorted(set(table["id"]) | set(broken))
choices = [*ids, NEW] if can_edit else ids
wanted = st.query_params.get("kpi")
pick = st.selectbox("KPI", choices, index=choices.index(wanted) if wanted in choices else 0,
                    key="editor_kpi",
                    format_func=lambda k: k if k == NEW or k not in catalog.kpis
                    else f"{k}: {catalog.kpis[k].label}")
if pick != NEW and st.query_params.get("kpi") != pick:
    st.query_params["kpi"] = pick
kpi_id = str(pick)
if pick == NEW:
    kpi_id = st.text_input("New KPI id", key="editor_new_id", placeholder="lower_case_id").strip()
    if not kpi_id:
        st.info("Give the new KPI an id (lower-case letters, digits and _): it becomes its file "
                "name and its id in URLs and targets.")
        st.stop()
    if kpi_id in ids:
        st.error(f"'{kpi_id}' exists already: pick it in the list above to edit it.")
        st.stop()
try:
    saved_text = facade.kpi_text(kpi_id)
except facade.EditorError as exc:
    st.error(str(exc))
    st.stop()

text_key = f"editor_text_{kpi_id}"
if text_key not in st.session_state:
    st.session_state[text_key] = saved_text or NEW_KPI_TEMPLATE


def _remember(kind: str, message: str) -> None:
    st.session_state["editor_message"] = (kind, message)


def _save() -> None:
    result = facade.save_kpi(kpi_id, st.session_state[text_key])
    message = result.message
    if result.problems and not result.saved:
        message += "\n\n" + "\n\n".join(f"`{p}`" for p in result.problems[:3])
    _remember("success" if result.saved else ("info" if not result.problems else "error"), message)


def _revert(version: str) -> None:
    result = facade.revert_kpi(kpi_id, version)
    if result.saved:
        st.session_state[text_key] = facade.kpi_text(kpi_id)
    _remember("success" if result.saved else "error",
              result.message.replace("saved", f"reverted to {version}; saved", 1)
              if result.saved else f"cannot revert to {version}: " + "; ".join(
                  str(p) for p in result.problems[:3]))


def _discard() -> None:
    st.session_state[text_key] = saved_text or NEW_KPI_TEMPLATE


def _only(values: tuple[str, ...]) -> str:
    """A single selected filter value is the scope; none or several means '*' (all)."""
    return values[0] if len(values) == 1 else "*"


def _show_target(kpi: facade.KPI) -> None:
    """The target in force for the sidebar's scope on the range's last day, and its source: the
    targets table wins over the file's header (issue: the two disagreed and nobody could see
    which applied)."""
    try:
        targets = facade.reference_frame("targets")
    except Exception:  # an old warehouse without the table: the header is all there is
        log.exception("cannot read the targets table")
        targets = pd.DataFrame(columns=["kpi", "channel", "department", "valid_from", "valid_to",
                                        "target", "red_flag"])
    force = target_in_force(targets, kpi.id, kpi.target, kpi.red_flag,
                            _only(filters.channels), _only(filters.departments), filters.end)
    st.info(target_sentence(force, kpi.unit, facade.currency(), per_month=facade.monthly_target(kpi)),
            icon=":material/flag:")
    rows = targets[targets["kpi"] == kpi.id] if len(targets) else targets
    if len(rows):
        with st.expander(f"Targets table: {len(rows)} row(s) for {kpi.id}"):
            st.table(rows.set_index(rows.columns[0]))  # a few rows: no grid


# SQL reads best in a fixed-width font (static CSS, no user content).
st.html("<style>[class*='st-key-editor_text_'] textarea {font-family: 'Source Code Pro', "
        "ui-monospace, monospace; font-size: 0.85rem;}</style>")
# Editor above, preview/SQL/history below: both get the full width on any screen.
with st.container():
    if can_edit:
        text = st.text_area(f"{kpi_id}.sql", key=text_key, height=420,
                            help="Ctrl+Enter (or leaving the field) validates the text.")
    else:
        text = saved_text
        st.code(saved_text, language="sql", line_numbers=True)
    kpi, problems = facade.validate_kpi(f"{kpi_id}.sql", text)
    # sqlglot checks names and shapes, not types: a valid text can still fail in DuckDB, and
    # then it is not valid, it is a problem like any other (and Save stays disabled).
    run_failures = facade.run_problems(kpi) if kpi is not None and not problems else []
    if problems:
        st.error(f"{len(problems)} problem(s): this text cannot be saved.")
    elif run_failures:
        st.error("Does not run: the SQL is well-formed and uses known columns, but DuckDB "
                 "rejects it on the warehouse. This text cannot be saved.")
        kpi, problems = None, run_failures
    else:
        st.success("Valid: " + (f"{kpi.kind} KPI over {kpi.model}; it runs on the warehouse."
                                if kpi else ""))
    for problem in problems:
        st.code(problem_block(str(problem), text, problem.line, problem.column), language=None)
    if kpi is not None:
        _show_target(kpi)
    message = st.session_state.pop("editor_message", None)
    if message:
        getattr(st, message[0])(message[1])
    if can_edit:
        changed = text != saved_text
        row = st.container(horizontal=True)
        row.button("Save", type="primary", on_click=_save, key="editor_save",
                  disabled=bool(problems) or not changed,
                  help="Saves only a valid text; the current file goes to the history first.")
        row.button("Discard changes", on_click=_discard, key="editor_discard", disabled=not changed)
        if changed and saved_text:
            with st.expander("Changes against the saved file"):
                st.code(diff(saved_text, text), language="diff")

def _preview(kpi: facade.KPI | None, text: str, problems: list, query: facade.Query) -> None:
    """The edited text's numbers beside the saved version's, as lines and a table."""
    if problems or kpi is None:
        st.info("Fix the problems above to preview the edited KPI.")
        return
    try:
        edited, _compiled = facade.preview_kpi(kpi_id, text, query)
        saved = facade.run(query) if kpi_id in catalog.kpis else pd.DataFrame()
    except facade.QueryError as exc:  # runs on the trial month, fails on this range
        st.error(f"The edited KPI does not run for this period and scope: {exc}")
        return
    failed = saved["error"].dropna() if "error" in saved.columns else saved
    if len(failed):
        st.warning(f"The saved version does not run: {failed.iloc[0]}")
    comparison = compare(saved, edited)
    st.caption(f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d} by "
               f"{filters.grain}, sidebar filters applied; unit {kpi.unit}.")
    if comparison.empty:
        st.info("No rows in this period and scope.")
        return
    figure.draw(compare_chart(comparison, kpi.label, kpi.unit, filters.grain,
                              facade.currency()), key="editor_compare")
    if st.toggle("Show the numbers", key="editor_numbers"):
        st.dataframe(comparison, hide_index=True, width="stretch", column_config={
            c: st.column_config.NumberColumn(format="%.2f")
            for c in ("saved", "edited", "difference")})


def _calculation(kpi: facade.KPI | None, text: str, problems: list, query: facade.Query) -> None:
    """The KPI's own SQL, its parameters, and the compiled and transpiled statement."""
    _header, own_sql = header_and_body(text)
    st.caption("The KPI's own SQL, as written in its file: one SELECT over one model. The page "
               "adds the period, the grain, the dimensions and the filters around it.")
    st.code(own_sql.strip() or "(no SQL yet)", language="sql")
    compiled = None
    if kpi is not None and not problems:
        try:
            compiled = facade.compile_kpi_text(kpi_id, text, query)
        except facade.QueryError as exc:
            st.error(f"Cannot compile for this period and scope: {exc}")
    defaults = dict(kpi.params) if kpi is not None else {}
    params = parameter_rows(defaults, compiled.param_map if compiled is not None else {})
    if len(params):
        st.caption("Parameters of this preview (bound as values, never pasted into the SQL):")
        st.dataframe(params, hide_index=True, width="stretch")
    with st.expander("Compiled statement (what runs for this preview) and other engines"):
        if compiled is None:
            st.info("The compiled statement appears once the text is valid and runs.")
            return
        st.code(str(compiled), language="sql")
        dialect = st.selectbox("Transpile to", DIALECTS, key="editor_dialect")
        try:
            st.code(facade.transpile_kpi_text(kpi_id, text, dialect, query), language="sql")
        except Exception as exc:  # sqlglot may not support a construct in that dialect
            log.warning("cannot transpile %s to %s", kpi_id, dialect, exc_info=True)
            st.error(f"Cannot transpile to {dialect}: {exc}")


def _history() -> None:
    """Every saved version of the KPI file, its diff against the saved one, and revert."""
    versions = facade.kpi_history(kpi_id)
    if not versions:
        st.info("No earlier versions: every save keeps the text it replaces here.")
        return
    names = [v.name for v in versions]
    stamps = {v.name: f"{v.saved_at:%Y-%m-%d %H:%M:%S} UTC" for v in versions}
    version = st.selectbox("Version (replaced at)", names, format_func=stamps.get,
                           key=f"editor_version_{kpi_id}")
    old = facade.kpi_version_text(kpi_id, str(version))
    st.code(diff(old, saved_text, f"{version}", "saved") or "identical to the saved file",
            language="diff")
    if can_edit:
        st.button("Revert to this version", on_click=_revert, args=(str(version),),
                  key="editor_revert",
                  help="Validated like a save; the current file goes to the history.")


query = facade.Query.of(kpi_id, grain=filters.grain, start=filters.start, end=filters.end,
                        filters=filters.as_filter_map())
# Lazy tabs: only the open one runs and draws. The SQL and diff views load the browser's code
# highlighter, which alone put a new session of this page over its 2 s budget.
preview_tab, sql_tab, history_tab = st.tabs(["Preview", "How it is calculated", "History"],
                                             key="editor_tab", on_change="rerun")
if preview_tab.open:
    with preview_tab:
        _preview(kpi, text, problems, query)
if sql_tab.open:
    with sql_tab:
        _calculation(kpi, text, problems, query)
if history_tab.open:
    with history_tab:
        _history()
