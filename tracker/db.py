"""Declarative base with stable constraint names, and the columns every record shares."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) into a table together: on PostgreSQL by COPY, in
    one round trip (its driver would send an executemany as one INSERT per row); on SQLite as
    one executemany of the driver, which loops inside SQLite's C library. A column that is
    NULL in every row (and has no server default) is left out: it is NULL all the same."""
    if not rows:
        return
    dialect = connection.dialect
    columns, values = [], []
    for key in rows[0]:
        column = table.c[key]
        given = [row[key] for row in rows]
        if (
            column.server_default is None
            and not column.primary_key
            and given.count(None) == len(given)
        ):
            continue
        # The values as SQLAlchemy would bind them: aware datetimes to UTC, JSON serialised, ...
        bind = column.type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(column)
        values.append(given if bind is None else _bound(bind, given))
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in columns)
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in zip(*values, strict=True):
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608
        connection.exec_driver_sql(sql, list(zip(*values, strict=True)))


def _bound(bind: Any, given: list[Any]) -> list[Any]:
    """Each value bound, each distinct one once (a chunk's rows share their moment, their
    dates, their empty lists)."""
    bound: dict[Any, Any] = {}
    result = []
    for value in given:
        key = (type(value), value if type(value) is not list or value else ())
        try:
            result.append(bound[key])
        except KeyError:
            result.append(bound.setdefault(key, bind(value)))
        except TypeError:  # a dict or a list with items: bound on its own
            result.append(bind(value))
    return result


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database; always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TrackedRecord:
    """An editable record: optimistic version, who/when created and updated, soft delete."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
