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

MAX_ROWS = 1000  # rows per multi-row VALUES statement (SQLite)
ARRAY_ROWS = 20_000  # rows per unnest() statement (PostgreSQL)
VALUES_ROWS = 250  # rows per multi-row VALUES statement of a plain append (SQLite; ADR 0141)


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


def _array_types(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [f"{_field(model, name).db_type(connection)}[]" for name in fields]  # e.g. bigint[], varchar(8)[]


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    returning: str | None = None,
) -> list[Any]:
    """INSERT `rows` (tuples in the order of `fields`) in a few statements. With `ignore_conflicts`, rows that
    would break a unique constraint are skipped (ON CONFLICT DO NOTHING). Returns the `returning` column of
    the rows actually inserted (empty when `returning` is None).

    PostgreSQL: ``COPY ... FROM STDIN`` for plain appends; with a conflict clause or RETURNING,
    ``INSERT ... SELECT * FROM unnest(%s::type[], ...)``, one array parameter per column (no per-value
    placeholders for the driver to parse). SQLite: multi-row ``VALUES``, `VALUES_ROWS` rows a statement
    (with RETURNING, as many as its parameter limit allows)."""
    if not rows:
        return []
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += f" RETURNING {_columns(model, [returning])[0]}"
    out: list[Any] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not ignore_conflicts and not returning:
            # plain appends (audit events): COPY streams rows with no statement to plan per chunk
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return out
        if connection.vendor == "postgresql":
            source = (
                "SELECT * FROM unnest(" + ", ".join(f"%s::{t}" for t in _array_types(model, fields)) + ")"
            )
            for i in range(0, len(rows), ARRAY_ROWS):
                chunk = rows[i : i + ARRAY_ROWS]
                cursor.execute(head + source + tail, [list(c) for c in zip(*chunk, strict=True)])
                if returning:
                    out.extend(r[0] for r in cursor.fetchall())
            return out
        if not returning:
            _insert_values(cursor, head, len(columns), tail, rows)
            return out
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        size = _rows_per_statement(len(columns))
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            cursor.execute(
                head + "VALUES " + ",".join([one] * len(chunk)) + tail, [v for row in chunk for v in row]
            )
            if returning:
                out.extend(r[0] for r in cursor.fetchall())
    return out


def _insert_values(cursor: Any, head: str, n_columns: int, tail: str, rows: Sequence[Sequence[Any]]) -> int:
    """SQLite: the rows as multi-row ``VALUES`` statements of `VALUES_ROWS` rows (the same SQL text for every
    full chunk, so the driver's statement cache keeps it prepared); returns the rows inserted. Not
    ``executemany`` of a one-row INSERT: on a table with a trigger (the audit trail's append-only guard, the
    report tally) SQLite opens a statement journal for every statement, which copies each page the row
    touches (table and indexes) before changing it, once per row; one statement per chunk journals each page
    once per chunk. Measured on the audit trail: 30 µs a row with executemany, 15 µs in chunks of 250 (ADR 0141)."""
    one = "(" + ", ".join(["%s"] * n_columns) + ")"
    size = min(VALUES_ROWS, _rows_per_statement(n_columns))
    full = head + "VALUES " + ",".join([one] * size) + tail
    n = 0
    for i in range(0, len(rows), size):
        chunk = rows[i : i + size]
        sql = full if len(chunk) == size else head + "VALUES " + ",".join([one] * len(chunk)) + tail
        cursor.execute(sql, [v for row in chunk for v in row])
        n += max(int(cursor.rowcount), 0)
    return n


def insert_count(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Like `insert`, returning how many rows were inserted (with `ignore_conflicts`, those not skipped) from
    the driver's row counts, without sending any rows back."""
    if not rows:
        return 0
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source = (
                "SELECT * FROM unnest(" + ", ".join(f"%s::{t}" for t in _array_types(model, fields)) + ")"
            )
            for i in range(0, len(rows), ARRAY_ROWS):
                chunk = rows[i : i + ARRAY_ROWS]
                cursor.execute(head + source + tail, [list(c) for c in zip(*chunk, strict=True)])
                n += max(cursor.rowcount, 0)
            return n
        return _insert_values(cursor, head, len(columns), tail, rows)


def update_by_pk(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE `fields` of many rows by primary key; each row is (pk, *values in the order of `fields`).
    PostgreSQL: one ``UPDATE ... FROM unnest(arrays)`` per 20,000 rows (a single hash join); SQLite: one
    ``UPDATE ... FROM (VALUES ...)`` per chunk (SQLite 3.33+), each row found by its primary key."""
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
    where = f"WHERE {table}.{pk_column} = v.pk"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [f"{pk_field.db_type(connection)}[]", *_array_types(model, fields)]
            source = "unnest(" + ", ".join(f"%s::{t}" for t in types) + f") AS v(pk, {', '.join(names)})"
            for i in range(0, len(rows), ARRAY_ROWS):
                chunk = rows[i : i + ARRAY_ROWS]
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM {source} {where}",
                    [list(c) for c in zip(*chunk, strict=True)],
                )
            return
        one = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
        select = "SELECT column1 AS pk, " + ", ".join(
            f"column{i + 2} AS {name}" for i, name in enumerate(names)
        )
        size = _rows_per_statement(len(columns) + 1)
        for i in range(0, len(rows), size):
            chunk = rows[i : i + size]
            values = ",".join([one] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM ({select} FROM (VALUES {values})) AS v {where}",
                [x for row in chunk for x in row],
            )
