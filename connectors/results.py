"""What an import tells its caller: the result of one file (the CLI's JSON line, the Data page's
table, the import log's row) and the words of its message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.base import Parsed


@dataclass
class ImportResult:
    file: str
    format: str | None
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    status: str  # loaded | empty (no row could be used) | skipped (imported before) | failed
    message: str
    import_id: int | None = None
    values_blanked: int = 0  # impossible values blanked (see the blanked_values table)
    rows_merged: int = 0
    rows_skipped: int = 0
    rows_written: int = 0  # canonical rows (contacts + survey responses) of the loaded rows
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # a dry run (nothing written): why this format, and the first rows as canonical fields
    dry_run: bool = False
    chosen_because: str = ""
    preview: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The command line's JSON line: the keys the README documents (the blanked count is in the
        message, and in ``import_log.values_blanked``); a dry run adds ``dry_run``,
        ``chosen_because`` and ``preview``."""
        d = asdict(self)
        keys = JSON_KEYS + (DRY_RUN_KEYS if self.dry_run else ())
        return {k: d[k] for k in keys}


JSON_KEYS = ("file", "format", "rows_read", "rows_loaded", "rows_rejected", "rows_merged", "rows_skipped",
             "rows_written", "status", "message", "warnings", "notes")
DRY_RUN_KEYS = ("dry_run", "chosen_because", "preview")
PREVIEW_ROWS = 5
# The canonical fields a preview shows (identities stay out: the preview goes to a screen).
PREVIEW_FIELDS = {
    "contacts": ("line", "source_record_id", "channel", "direction", "opened_at", "answered_at",
                 "first_response_at", "closed_at", "queue", "team", "wait_seconds",
                 "handle_seconds", "queued", "abandoned", "transferred", "agent_requested",
                 "self_service", "status", "outcome", "reason"),
    "surveys": ("line", "source_record_id", "contact_record_id", "case_id", "channel",
                "responded_at", "csat", "csat_scale", "nps", "ces", "resolved"),
}


def count(n: int, one: str, many: str) -> str:
    """"1 contact", "5 contacts"."""
    return f"{n:,} {one if n == 1 else many}"


def summary(contacts: int, surveys: int, rejects: int, blanked: int = 0, merged: int = 0,
            skipped: int = 0) -> str:
    """The message of a loaded file: what it gave and what it lost, each with where to look."""
    parts = []
    if contacts:
        parts.append(count(contacts, "contact", "contacts"))
    if surveys:
        parts.append(count(surveys, "survey response", "survey responses"))
    text = ", ".join(parts) if parts else "no rows"
    if rejects:
        text += f"; {count(rejects, 'row', 'rows')} rejected (see rejects)"
    if merged:
        text += f"; {count(merged, 'row', 'rows')} merged into another row of the same record"
    if skipped:
        text += f"; {count(skipped, 'row', 'rows')} skipped (see skipped rows)"
    if blanked:
        text += f"; {count(blanked, 'impossible value', 'impossible values')} blanked (see blanked_values)"
    return text


def _plural(reason: str, n: int) -> str:
    return reason if n == 1 or reason.endswith(("spam", "s")) else reason + "s"


def nothing_loaded(kind: str, parsed: Parsed, rejected: int) -> str:
    """Why no row of the file could be used ("all 10 responses are survey previews")."""
    noun = "responses" if kind == "survey" else "rows"
    if not parsed.rows_read:
        return "nothing loaded: the file holds no rows"
    reasons: dict[str, int] = {}
    for r in parsed.skipped:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    if len(reasons) == 1 and not rejected:
        reason, n = next(iter(reasons.items()))
        return f"nothing loaded: all {n} {noun} are {_plural(reason, n)}"
    parts = [f"{n} {_plural(reason, n)}" for reason, n in reasons.items()]
    if rejected:
        parts.append(f"{rejected} rejected, see rejects")
    return f"nothing loaded: no row of {parsed.rows_read} could be used ({', '.join(parts)})"
