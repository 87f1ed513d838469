"""One customer's journey (a page reached by link, not from the menu): every contact of the
customer behind one masked contact id, across channels, on a timeline and as a list in time order.

The link comes from "the contacts behind the number" on the Channels page:
``journey?contact=<masked contact id>&<the global filters>[&kpi=<id>]`` (``views.ui.state.link``).
The filters are kept for the way back (and put contacts of their period first when the short mask
matches several); the journey itself shows every channel and date. Identifiers stay masked; the
``contact`` value of a URL is shown only as plain text; survey comments only for roles that may read
verbatims, and only as text.
"""

from __future__ import annotations

import streamlit as st

from metrics import facade, imports
from views.ui import figure, journey_timeline, journey_view
from views.ui.palette import channel_colors
from views.ui.sidebar import global_filters
from views.ui.state import Filters, encode, link

SHOWN_RAW = 120  # characters of a wrong ``contact`` value echoed back (as plain text)

st.title("Customer journey")
if not imports.warehouse_summary()["contacts"]:
    st.stop()  # app.py shows the empty-warehouse notice

filters: Filters = global_filters()
kpi = st.query_params.get("kpi")
extra = {"kpi": kpi} if kpi and kpi in set(facade.kpi_table()["id"]) else {}


def back_link() -> None:
    st.page_link("views/channels.py", label="Back to the contacts behind the number",
                 icon=":material/arrow_back:", query_params={**encode(filters), **extra})


def journey_link(mask: str) -> str:
    """The journey opened on another contact of the same customer, with the same filters."""
    return link("journey", filters, contact=mask, **extra)


def refuse(message: str, shown: str | None = None) -> None:
    """A clear message (and the offending value as plain text, never markdown), then stop."""
    st.warning(message, icon=":material/person_search:")
    if shown is not None:
        st.text(shown[:SHOWN_RAW] + ("…" if len(shown) > SHOWN_RAW else ""))
    back_link()
    st.stop()


raw = st.query_params.get("contact")
if not raw:
    refuse("No contact chosen: open a customer's journey from a contact in \"the contacts behind "
           "the number\" on the Channels page.")
mask = facade.parse_mask(raw)
if mask is None:
    refuse("This link's contact is not a masked contact id (# and 8 hexadecimal digits, as the "
           "Channels page shows them). The value was:", str(raw))
assert mask is not None  # for the type checker: refuse() stops the script
choice = int(st.session_state.get(f"j_choice_{mask}", 0))
try:
    journey = facade.journey(mask, start=filters.start, end=filters.end, choice=choice)
except facade.QueryError as error:
    refuse(f"Cannot open this journey: {error}")
if not journey.found:
    refuse("No contact in this warehouse has this masked id (the link may come from another "
           "warehouse, or the contact was imported again under another id):", mask)

back_link()
if len(journey.candidates) > 1:
    st.warning(f"{len(journey.candidates)} contacts share the masked id {mask} (a mask is short "
               "on purpose). Contacts in the sidebar's period come first; pick the one you meant.",
               icon=":material/call_split:")
    st.selectbox("Contact", range(len(journey.candidates)), key=f"j_choice_{mask}",
                 format_func=lambda i: (f"{journey.candidates[i].local_at:%Y-%m-%d %H:%M} · "
                                        f"{journey.candidates[i].channel} · customer "
                                        f"{journey.candidates[i].customer or 'unknown'}"))

contacts, surveys = journey.contacts, journey.surveys
counts = journey_view.summary(contacts, surveys)
window = f"{journey.window_days:g} days"
zone = facade.settings().get("business_timezone", "UTC")
who = f"Customer `{journey.customer}`" if journey.customer else "A contact without a customer"
first, last = contacts["local_at"].min(), contacts["local_at"].max()
st.markdown(f"{who} · **{counts['contacts']:,}** contact{'s' * (counts['contacts'] != 1)} on "
            f"**{counts['channels']}** channel{'s' * (counts['channels'] != 1)}, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d} · **{counts['repeats']}** "
            f"repeat{'s' * (counts['repeats'] != 1)} · **{counts['transferred']}** transferred · "
            f"**{counts['surveys']}** survey response{'s' * (counts['surveys'] != 1)}")
st.html(journey_view.jump_html(contacts))
if journey.note:
    st.info(journey.note, icon=":material/person_off:")
if journey.capped:
    st.caption(f"Showing the {len(contacts):,} contacts nearest in time to the one opened, of "
               f"{journey.total:,} this customer has in all.")

colors = channel_colors(contacts["channel"])
figure.draw(journey_timeline.timeline(contacts, colors, list(facade.CHANNELS)),
            key="journey_timeline")
st.caption(f"One lane per channel; the ringed point is the contact opened, diamonds were "
           f"transferred, a dotted line joins a repeat to the contact it repeats; click a point "
           f"to go to its card in the list below. A repeat is an "
           f"inbound contact within {window} after an earlier inbound contact of the same "
           f"customer (the repeat_rate and fcr KPIs' window). Times in {zone}.")

st.subheader("Contacts in time order", divider="gray")
if not journey.comments and len(surveys):
    st.caption(f"Survey comments are free text that may hold personal data: your role "
               f"({facade.role()}) sees the scores only.")
st.html(journey_view.journey_list(contacts, surveys, colors, journey.comments, journey_link,
                                  window))
st.caption("Identifiers are masked. The sidebar's filters are kept for the way back; the journey "
           "shows every channel and date.")
