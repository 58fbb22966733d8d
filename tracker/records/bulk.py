"""Writing many new records at once, for a bulk job (an import): Drafts that read like model
instances without the ORM's bookkeeping, ids handed out before the INSERT, one bulk INSERT
per table, and look-ups remembered for the length of the job."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tracker.caching.services import mark_changed
from tracker.db import bulk_insert
from tracker.extensions import db


class Draft:
    """A new record on its way to a bulk INSERT (`insert_new`): set and read like an instance
    of its model, without the ORM's bookkeeping, which costs more than the INSERT itself when
    an import writes thousands. Unset columns read None and collections start empty, as on a
    new instance; `__mapper__` and `__tablename__` are the model's."""

    __mapper__: ClassVar[Any]
    __tablename__: ClassVar[str]
    _columns: ClassVar[frozenset[str]]
    _collections: ClassVar[tuple[str, ...]]

    def __init__(self, **values: Any) -> None:
        for key in self._collections:
            self.__dict__[key] = []
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # only called for attributes never set
        if name in self._columns:
            return None
        raise AttributeError(name)


@functools.cache
def draft_of(model: Any) -> type[Draft]:
    """The Draft class of a model (one per model, so drafts group by kind like records do)."""
    mapper = sa_inspect(model)
    namespace = {
        "__mapper__": mapper,
        "__tablename__": model.__tablename__,
        "_columns": frozenset(prop.key for prop in mapper.column_attrs),
        "_collections": tuple(r.key for r in mapper.relationships if r.uselist),
    }
    return type(f"{model.__name__}Draft", (Draft,), namespace)


def new_child(parent: Any, model: Any, **values: Any) -> Any:
    """A new record for one of `parent`'s collections (a person's name key, an event's claim):
    a Draft when the parent is one, else an instance of the model."""
    if isinstance(parent, Draft):
        return draft_of(model)(**values)
    return model(**values)


def new_draft(model: Any) -> Draft:
    """A new Draft of a model, for `insert_new`."""
    return draft_of(model)()


def new_instance(model: Any) -> Any:
    """A new record whose collections (a person's detentions) are known to be empty, so that
    reading them after the INSERT asks the database nothing."""
    record = model()
    for relation in sa_inspect(model).relationships:
        if relation.uselist:
            set_committed_value(record, relation.key, [])
    return record


# While a bulk job runs (an import: one transaction, which deletes nothing and adds no
# vocabulary), whether a referenced record is live and which codes a vocabulary has are
# read once, not once per row. Ids not found are asked again: the job may create them.
# On SQLite its new rows also get their ids before the INSERT (see `_number_new_rows`).
LOOKUPS_KEY = "record_lookups"


def lookups() -> dict[Any, Any] | None:
    """What the running bulk job remembered (None outside one)."""
    return db.session.info.get(LOOKUPS_KEY)  # type: ignore[no-any-return]


def forget_lookups() -> None:
    """Drop what `cached_lookups` remembered (a rolled-back savepoint took records with it)."""
    cache = lookups()
    if cache is not None:
        cache.clear()


@event.listens_for(Session, "before_flush")
def _number_new_rows(session: Session, context: Any, instances: Any) -> None:
    """In a bulk job on SQLite, give new rows their ids before the INSERT.

    SQLite cannot say which generated id belongs to which row of a multi-row INSERT, so
    without ids SQLAlchemy writes the rows one statement each; with them, a chunk's audit
    entries go out as one executemany."""
    if LOOKUPS_KEY not in session.info or session.get_bind().dialect.name != "sqlite":
        return
    by_table: dict[Any, list[Any]] = {}
    for obj in session.new:
        table = sa_inspect(obj).mapper.local_table
        column = getattr(table, "autoincrement_column", None)
        if column is not None and getattr(obj, column.key, None) is None:
            by_table.setdefault(table, []).append(obj)
    for table, objs in by_table.items():
        for number, obj in zip(new_ids(table, len(objs)), objs, strict=True):
            setattr(obj, table.autoincrement_column.key, number)


def new_ids(table: Any, count: int) -> list[int]:
    """Ids for `count` new rows of a table, handed out before they are inserted: from the
    table's sequence on PostgreSQL; on SQLite the largest + 1 onwards, as SQLite itself
    would, read inside the bulk job's write transaction, which no other writer shares."""
    column = table.autoincrement_column
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        return list(connection.execute(query).scalars())
    last = connection.execute(select(func.max(column))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def number_new(records: list[Any]) -> None:
    """Give new Drafts of one kind what a flush gives a new row before its INSERT: its id,
    its first version, and the default of each column left unset (so that their audit
    entries' snapshots can be taken before `insert_new` writes them)."""
    db.session.flush()  # rows waiting in the session take their ids first
    mapper = records[0].__mapper__
    table = mapper.local_table
    id_key = table.autoincrement_column.key
    for number, record in zip(new_ids(table, len(records)), records, strict=True):
        record.__dict__[id_key] = number
    if mapper.version_id_col is not None:
        version = mapper.get_property_by_column(mapper.version_id_col).key
        for record in records:
            record.__dict__[version] = 1
    for prop in mapper.column_attrs:
        default = prop.columns[0].default
        value = None if default is None else default.arg
        if callable(value):
            made = value(None)  # the moment they were created: the same for all
            value = made if not isinstance(made, list | dict) else value
        for record in records:
            if prop.key not in record.__dict__:
                record.__dict__[prop.key] = value(None) if callable(value) else value


def insert_new(records: list[Any]) -> None:
    """Insert new Drafts of one kind, and the rows in their collections (a person's name keys
    and detentions, an event's claims and facilities), as one bulk INSERT per table.

    This is the unit of work of `flush` without its bookkeeping, for a bulk job that writes
    thousands of rows and reads them no more."""
    if not records:
        return
    mapper = records[0].__mapper__
    table = mapper.local_table
    if records[0].__dict__.get(table.autoincrement_column.key) is None:
        number_new(records)
    else:
        db.session.flush()  # rows waiting in the session go first
    columns = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs]
    rows = [{column: record.__dict__[key] for key, column in columns} for record in records]
    bulk_insert(db.session.connection(), table, rows)
    mark_changed()  # written around the session's flush: the data version must still move on
    children: dict[Any, list[Any]] = {}
    for relation in mapper.relationships:
        if not relation.uselist:
            continue
        links = []
        for record in records:
            for child in record.__dict__.get(relation.key) or []:
                if relation.secondary is not None:
                    link = {
                        pair[1].key: getattr(record, pair[0].key)
                        for pair in relation.synchronize_pairs
                    }
                    for own, other in relation.secondary_synchronize_pairs:
                        link[other.key] = getattr(child, own.key)
                    links.append(link)
                else:
                    for own, other in relation.local_remote_pairs:
                        setattr(child, other.key, getattr(record, own.key))
                    children.setdefault(type(child), []).append(child)
        if links:
            bulk_insert(db.session.connection(), relation.secondary, links)
    for kind in children.values():
        insert_new(kind)


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Remember reference and vocabulary look-ups until the block ends (see LOOKUPS_KEY)."""
    db.session.info[LOOKUPS_KEY] = {}
    try:
        yield
    finally:
        db.session.info.pop(LOOKUPS_KEY, None)
