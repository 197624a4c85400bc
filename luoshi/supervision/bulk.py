"""Set-based writes of plain rows: multi-row INSERT and keyed UPDATE without model instances.

The sweep writes up to a few hundred thousand rows in one transaction (the first sweep over a new ledger:
every task's colour, the missed reports of the last three months, their notifications). Django's
``bulk_create`` builds a model instance per row and compiles every value through the field API, about
60 µs a row; these helpers take tuples whose values are already what the column stores (use ``db_date`` and
``db_datetime`` for dates) and send one statement per chunk of rows, on SQLite and PostgreSQL alike.
Only for tables whose rows carry no behaviour of their own (no signals, no ``save()`` logic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

MAX_ROWS = 1000


def db_date(value: dt.date | None) -> Any:
    """A date as the backend stores it (ISO text on SQLite)."""
    return connection.ops.adapt_datefield_value(value)


def db_datetime(value: dt.datetime | None) -> Any:
    """An aware datetime as the backend stores it (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{name} is not a column of {model}"
    return field


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    qn = connection.ops.quote_name
    return [qn(str(_field(model, name).column)) for name in fields]


def _rows_per_statement(n_columns: int) -> int:
    limit = connection.features.max_query_params  # SQLite: the connection's variable limit; PostgreSQL: None
    return max(1, min(MAX_ROWS, (limit or 65535) // max(n_columns, 1)))


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    returning: str | None = None,
) -> list[Any]:
    """INSERT `rows` (tuples in the order of `fields`) in multi-row statements. With `ignore_conflicts`, rows
    that would break a unique constraint are skipped (ON CONFLICT DO NOTHING). Returns the `returning` column
    of the rows actually inserted (empty when `returning` is None)."""
    if not rows:
        return []
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += f" RETURNING {_columns(model, [returning])[0]}"
    size = _rows_per_statement(len(columns))
    out: list[Any] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            cursor.execute(head + ",".join([one] * len(chunk)) + tail, [v for row in chunk for v in row])
            if returning:
                out.extend(r[0] for r in cursor.fetchall())
    return out


def update_by_pk(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE `fields` of many rows by primary key; each row is (pk, *values in the order of `fields`).
    One multi-row ``UPDATE ... FROM (VALUES ...)`` per chunk (PostgreSQL, and SQLite since 3.33)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    pk_field = model._meta.pk
    assert pk_field is not None and pk_field.column
    pk_column = qn(pk_field.column)
    columns = _columns(model, fields)
    names = [f"c{i}" for i in range(len(columns))]
    sets = ", ".join(f"{col} = v.{name}" for col, name in zip(columns, names, strict=True))
    size = _rows_per_statement(len(columns) + 1)
    postgres = connection.vendor == "postgresql"
    if postgres:
        # VALUES rows are typed by their first row; cast each column to the target column's type
        typed = [pk_field, *(_field(model, name) for name in fields)]
        casts = [f"::{field.db_type(connection)}" for field in typed]  # e.g. ::bigint, ::date, ::varchar(8)
        one = "(" + ", ".join(f"%s{c}" for c in casts) + ")"
        values_alias = "v(pk, " + ", ".join(names) + ")"
    else:
        one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
        values_alias = "(SELECT column1 AS pk, " + ", ".join(
            f"column{i + 2} AS {name}" for i, name in enumerate(names)
        )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            values = ",".join([one] * len(chunk))
            if postgres:
                source = f"(VALUES {values}) AS {values_alias}"
            else:
                source = f"{values_alias} FROM (VALUES {values})) AS v"
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM {source} WHERE {table}.{pk_column} = v.pk",
                [x for row in chunk for x in row],
            )
