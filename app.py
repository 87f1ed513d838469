"""Streamlit entry point: navigation and nothing else (pages draw, the metrics facade computes).

Each page draws its own filters (``views.ui.sidebar.global_filters``) so that every view is a URL.
A page whose file does not exist yet is left out of the menu rather than breaking the app. The one
thing said here for every page is the empty-warehouse notice, so no page can forget it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st

from metrics import imports

ROOT = Path(__file__).parent

# (file, title, icon, url path) in menu order; the first one that exists is the default page.
PAGES = [
    ("views/scorecard.py", "Scorecard", ":material/target:", "scorecard"),
    ("views/channels.py", "Channels", ":material/support_agent:", "channels"),
    ("views/ownership.py", "Ownership", ":material/corporate_fare:", "ownership"),
    ("views/voice.py", "Customer voice", ":material/forum:", "voice"),
    ("views/editor.py", "Metric editor", ":material/functions:", "editor"),
    ("views/data.py", "Data", ":material/database:", "data"),
]
# Pages reached only by a link from another page (not in the menu), same fields.
LINKED_PAGES = [
    ("views/journey.py", "Customer journey", ":material/timeline:", "journey"),
]
EMPTY_NOTICE = ("The warehouse is empty. Import helpdesk, telephony or survey exports on the **Data** "
                "page, or build the demo company with `python -m connectors demo`.")

st.set_page_config(page_title="Service scorecard", page_icon=":material/dashboard:", layout="wide")

available = [(f, t, i, u) for f, t, i, u in PAGES if (ROOT / f).exists()]
pages = [st.Page(f, title=t, icon=i, url_path=u, default=(k == 0))
         for k, (f, t, i, u) in enumerate(available)]
pages += [st.Page(f, title=t, icon=i, url_path=u, visibility="hidden")
          for f, t, i, u in LINKED_PAGES if (ROOT / f).exists()]
current = st.navigation(pages)
if current.url_path != "data" and not imports.warehouse_summary()["contacts"]:
    st.info(EMPTY_NOTICE, icon=":material/inbox:")
    if (ROOT / "views/data.py").exists():
        st.page_link("views/data.py", label="Go to the Data page", icon=":material/database:")
if os.environ.get("SCORECARD_TIMING") == "1":  # one stderr line per script run (bench/browser.py)
    started, end = time.perf_counter(), "ok"
    try:
        current.run()
    except BaseException as stop:  # st.rerun / st.stop / a widget change interrupting the run
        end = type(stop).__name__
        raise
    finally:
        print(f"timing page={current.url_path} seconds={time.perf_counter() - started:.4f} "
              f"end={end}", file=sys.stderr, flush=True)
else:
    current.run()
