"""One colour per channel and per owning department, the same in every chart, page and theme.

The status colours (``charts.STATUS_COLORS``: green, amber, red, grey) mean "on target", "between"
and "off target" everywhere, so no channel or department is drawn in them: the member palette below
is blues, purples, teals, browns and magentas at mid tones that read on the light and the dark theme.

Channels take their colour from their place in the canonical channel vocabulary
(``facade.CHANNELS``), so phone is the same blue in every warehouse. Departments take theirs from
their place in the sorted list of departments the warehouse knows (``department_colors(known)``),
never from the rows one chart happens to show, so Finance keeps its colour when a filter hides
Logistics. 'Unmapped' (contacts whose reason the reason map does not know) is grey.
"""

from __future__ import annotations

from collections.abc import Iterable

from metrics import facade

# Ten mid-tone colours, none of them a status green, amber or red (see module docstring).
MEMBER_PALETTE = ("#4c78a8", "#9d6ccf", "#1b9aaa", "#8c6d4f", "#c75fa8",
                  "#3f5fa8", "#6f8fbf", "#7a5c99", "#4f7f7f", "#a27d5c")
UNMAPPED = "#a7adb3"
UNMAPPED_NAMES = ("Unmapped", "(none)", "other", "None")


def channel_color(channel: object) -> str:
    name = str(channel)
    if name in facade.CHANNELS:
        return MEMBER_PALETTE[facade.CHANNELS.index(name) % len(MEMBER_PALETTE)]
    return UNMAPPED


def channel_colors(channels: Iterable[object] = ()) -> dict[str, str]:
    """Every canonical channel (and any other name asked for) -> its colour."""
    names = list(facade.CHANNELS) + [str(c) for c in channels if str(c) not in facade.CHANNELS]
    return {name: channel_color(name) for name in names}


def department_colors(known: Iterable[object]) -> dict[str, str]:
    """Each department of ``known`` (all the warehouse's departments) -> its colour."""
    names = sorted({str(d) for d in known if str(d) not in UNMAPPED_NAMES})
    colors = {name: MEMBER_PALETTE[i % len(MEMBER_PALETTE)] for i, name in enumerate(names)}
    colors.update({name: UNMAPPED for name in UNMAPPED_NAMES})
    return colors

