"""The audit log's filters: who, what action, which kind of record (and which one), when."""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.security.converters import parse_id

# Audit entity types (table names) and the pages that show those records.
RECORD_PAGES = {
    "facilities": "facilities",
    "crossing_points": "crossings",
    "sources": "sources",
    "repatriation_events": "events",
    "persons": "persons",
}


@dataclass
class AuditFilters:
    """What the admin asked for; every field optional, bad values ignored with a message."""

    actor: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_args(cls, args: Any) -> "AuditFilters":
        return cls(**{key: (args.get(key) or "").strip()[:254] for key in asdict(cls())})

    def args(self) -> dict[str, str]:
        """The non-empty filters, to keep them in the pager's links."""
        return {key: value for key, value in asdict(self).items() if value}

    def query(self) -> tuple[Select[Any], list[str]]:
        """The filtered entries, newest first, and a message per filter that was ignored."""
        query = select(AuditEntry)
        problems = []
        if self.actor:
            if self.actor.lower() == "system":
                query = query.where(AuditEntry.actor_id.is_(None))
            else:
                query = query.where(
                    AuditEntry.actor_id.in_(
                        select(User.id).where(User.email.ilike(f"%{self.actor}%"))
                    )
                )
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.entity_type:
            query = query.where(AuditEntry.entity_type == self.entity_type)
        if self.entity_id:
            entity_id = parse_id(self.entity_id)
            if entity_id is not None:
                query = query.where(AuditEntry.entity_id == entity_id)
            else:
                problems.append("Record number: enter a whole number.")
        for value, label, bound in (
            (self.date_from, "From", "from"),
            (self.date_to, "To", "to"),
        ):
            if not value:
                continue
            try:
                day = date.fromisoformat(value)
            except ValueError:
                problems.append(f"{label}: enter a date as YYYY-MM-DD.")
                continue
            start = datetime.combine(day, time.min, tzinfo=UTC)
            if bound == "from":
                query = query.where(AuditEntry.at >= start)
            else:
                query = query.where(AuditEntry.at < start + timedelta(days=1))
        return query.order_by(AuditEntry.id.desc()), problems


def distinct_values(column: Any) -> list[str]:
    """The values a filter select offers (actions, record kinds) as they occur in the log."""
    rows = db.session.execute(select(column).where(column.is_not(None)).distinct()).scalars()
    return sorted(rows)
