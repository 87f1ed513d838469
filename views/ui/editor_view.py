"""Pure helpers of the Metric editor page (no Streamlit): where a problem is, saved vs edited
values side by side, their chart, and the diff of two versions of a KPI file."""

from __future__ import annotations

import difflib

import pandas as pd
import plotly.graph_objects as go

NEW_KPI_TEMPLATE = """-- label: My new KPI
-- perspective: operational
-- description: What it counts and why.
-- unit: percent
-- direction: higher
-- min_n: 30
-- target: 80
-- red_flag: 60
-- weight: 1
SELECT
    count(*) FILTER (WHERE inbound AND handled) AS numerator,
    count(*) FILTER (WHERE inbound) AS denominator
FROM m_contacts
"""


def excerpt(text: str, line: int, column: int) -> str:
    """The offending line with a caret under the column (``line N | ...``), for a code block."""
    lines = text.splitlines() or [""]
    number = min(max(line, 1), len(lines))
    source = lines[number - 1]
    gutter = f"{number:>3} | "
    caret = " " * (len(gutter) + max(column, 1) - 1) + "^"
    return f"{gutter}{source}\n{caret}"


def compare(saved: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """Saved and edited values per period side by side: period, saved, edited, difference,
    saved_n, edited_n (a period present in only one side has an empty cell on the other)."""
    def side(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        if frame.empty:
            return pd.DataFrame(columns=["period", name, f"{name}_n"])
        return frame[["period", "value", "n"]].rename(columns={"value": name, "n": f"{name}_n"})
    both = side(saved, "saved").merge(side(edited, "edited"), on="period", how="outer")
    both["saved"] = pd.to_numeric(both["saved"], errors="coerce")
    both["edited"] = pd.to_numeric(both["edited"], errors="coerce")
    both["difference"] = both["edited"] - both["saved"]
    ordered = ["period", "saved", "edited", "difference", "saved_n", "edited_n"]
    return both[ordered].sort_values("period", na_position="first").reset_index(drop=True)


def compare_chart(comparison: pd.DataFrame, label: str) -> go.Figure:
    """Saved (dashed grey) and edited (solid) values over the periods."""
    fig = go.Figure()
    fig.add_scatter(x=comparison["period"], y=comparison["saved"], name="saved version",
                    mode="lines+markers", line={"color": "#9aa0a6", "width": 6},
                    marker={"size": 12}, opacity=0.6)
    fig.add_scatter(x=comparison["period"], y=comparison["edited"], name="edited text",
                    mode="lines+markers", line={"color": "#636EFA"})
    fig.update_layout(title=f"{label}: saved vs edited", height=300, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.25},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def diff(old: str, new: str, old_name: str = "saved", new_name: str = "edited") -> str:
    """A unified diff of two texts ('' when they are equal)."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), old_name, new_name))
