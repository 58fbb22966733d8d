"""Import every feature's models so the metadata is complete (Alembic, backup, tests)."""

from tracker.accounts.models import ApiToken, User
from tracker.audit.models import AuditEntry
from tracker.caching.models import DataVersion
from tracker.estimates.models import SavedList
from tracker.events.models import EventSource, RepatriationEvent, ReportedFigure
from tracker.imports.models import ImportBatch, SavedMapping
from tracker.persons.models import (
    CaseCodeCounter,
    Contact,
    Detention,
    DistinctPersons,
    Person,
    PersonNameKey,
    PersonSource,
    StatusRecord,
)
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source, SourceFile
from tracker.un.models import UnSubmitter
from tracker.vocab.models import VocabularyTerm

__all__ = [
    "PersonSource",
    "SavedList",
    "ApiToken",
    "AuditEntry",
    "CaseCodeCounter",
    "Contact",
    "CrossingPoint",
    "DataVersion",
    "Detention",
    "DistinctPersons",
    "EventSource",
    "Facility",
    "ImportBatch",
    "Person",
    "PersonNameKey",
    "RepatriationEvent",
    "ReportedFigure",
    "SavedMapping",
    "Source",
    "SourceFile",
    "StatusRecord",
    "UnSubmitter",
    "User",
    "VocabularyTerm",
]
