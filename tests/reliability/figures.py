"""The drills' figures: each drill adds what it did, the session writes them as JSON for docs/RELIABILITY.md.

The file is `DBOPS_DRILL_REPORT` (default: `dbops-drills.json` in the temporary directory). Runs merge by
drill, so the opt-in PostgreSQL restart drill, run as its own pytest invocation, joins the same file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(os.environ.get("DBOPS_DRILL_REPORT") or Path(tempfile.gettempdir()) / "dbops-drills.json")

COLUMNS = ("requests", "faults", "executions", "duplicates", "lost_approvals", "unexpected_errors")


@dataclass
class Figures:
    requests: int = 0
    faults: int = 0
    executions: int = 0
    duplicates: int = 0
    lost_approvals: int = 0
    unexpected_errors: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Board:
    drills: dict[str, Figures] = field(default_factory=dict)

    def add(self, drill: str, *, note: str | None = None, **counts: int) -> None:
        figures = self.drills.setdefault(drill, Figures())
        for name, value in counts.items():
            setattr(figures, name, getattr(figures, name) + value)
        if note:
            figures.notes.append(note)

    def write(self, scale: int) -> Path | None:
        if not self.drills:
            return None
        try:
            existing = json.loads(REPORT.read_text())
        except (OSError, ValueError):
            existing = {}
        drills = existing.get("drills", {}) if isinstance(existing, dict) else {}
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        for name, figures in self.drills.items():
            drills[name] = {**asdict(figures), "scale": scale, "at": stamp}
        REPORT.write_text(json.dumps({"drills": drills}, indent=2, sort_keys=True) + "\n")
        return REPORT

    def table(self) -> list[str]:
        lines = ["drill".ljust(16) + "".join(c.rjust(19) for c in COLUMNS)]
        for name, figures in sorted(self.drills.items()):
            lines.append(name.ljust(16) + "".join(str(getattr(figures, c)).rjust(19) for c in COLUMNS))
        return lines


BOARD = Board()
