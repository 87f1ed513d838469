"""Who may do what: a deliberately small role setting (DESIGN.md "Roles decide who edits metric
SQL, imports data and sees personal data").

The role comes from the environment (``SCORECARD_ROLE`` = viewer | lead | analyst | admin), set
per deployment by whoever starts the server; the default is ``analyst`` because the usual local
install is one analyst on a laptop. There is no login here: a shared server that needs per-user
roles puts an authenticating proxy in front and starts one server per role.
"""

from __future__ import annotations

import os

ROLES = ("viewer", "lead", "analyst", "admin")
DEFAULT_ROLE = "analyst"
# action -> the roles allowed to do it
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "edit_kpis": ("analyst", "admin"),
    "edit_reference": ("analyst", "admin"),
    "read_verbatims": ("lead", "analyst", "admin"),
}


def current_role() -> str:
    """The configured role; an unknown value falls back to the least privileged, viewer."""
    raw = os.environ.get("SCORECARD_ROLE", DEFAULT_ROLE).strip().lower()
    return raw if raw in ROLES else "viewer"


def allowed(action: str, role: str | None = None) -> bool:
    """Whether ``role`` (default: the configured one) may do ``action``."""
    return (role or current_role()) in PERMISSIONS.get(action, ())
