"""A queryset compiled once and run again with new values: for the hot write paths (ADR 0110).

Profiling one progress-report write through the API showed about half of its CPU in Django compiling two
SELECTs (the API token with its user, the locked assignment with its unit, task, region, plan and thresholds):
the same SQL text every time, only the values differ. :class:`Prepared` builds the queryset once per database
connection with sentinel values, keeps the compiler (its SQL, its column map, its converters), and then only
swaps the values into the parameter list, executes, and turns the row into model instances exactly as Django's
``ModelIterable`` does (``from_db``, select_related populators, annotations). Queries still go through the
connection's cursor, so ``CaptureQueriesContext`` and the debug toolbar see them.

Only for querysets whose SQL does not depend on the values (no ``__in`` lists of varying length, no ``None``
that becomes ``IS NULL``): each sentinel must appear as a parameter, which is checked when it is compiled.

On PostgreSQL these statements are also **prepared on the server** (ADR 0142): :func:`cursor` gives a cursor
that binds its parameters on the server and asks psycopg to prepare each statement once per connection, so
PostgreSQL parses and plans it once, not on every call (the report write's locked assignment read alone took
1.3 ms to plan and 0.25 ms to run). Django's own cursors bind on the client and prepare nothing (so that a
transaction-mode connection pooler works): a deployment behind such a pooler (PgBouncer in transaction mode
before 1.21) sets ``LUOSHI_DB_PREPARED=0``, and these cursors then are Django's.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)

__all__ = ["Prepared", "PreparedInsert", "cursor"]


def _server_prepares(connection: Any) -> bool:
    from django.conf import settings

    return connection.vendor == "postgresql" and bool(getattr(settings, "LUOSHI_DB_PREPARED", True))


_CLASSES: tuple[Any, Any] | None = None


def _classes() -> tuple[Any, Any]:
    """Django's server-binding cursor class with every ``execute`` prepared (psycopg keeps the prepared
    statements per connection, up to its ``prepared_max``, and prepares again after a reconnect), and Django's
    debug wrapper logging each statement with its values, as Django's client-binding cursors log it (psycopg
    keeps no query text of a prepared execution, so Django's own wrapper would log "QUERY = … PARAMS = …")."""
    global _CLASSES
    if _CLASSES is None:
        from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor

        base: Any = ServerBindingCursor  # defined only when psycopg 3 is installed
        wrapper: Any = CursorDebugWrapper

        class PreparingCursor(base):  # type: ignore[misc]
            def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kw: Any) -> Any:
                return super().execute(query, params, prepare=True, **kw)

        class DebugWrapper(wrapper):  # type: ignore[misc]
            def debug_sql(
                self, sql: Any = None, params: Any = None, use_last_executed_query: bool = False, many: bool = False
            ) -> Any:
                if use_last_executed_query and not many:
                    sql = self.db.ops.compose_sql(sql, params)
                return super().debug_sql(sql, params, use_last_executed_query=False, many=many)

        _CLASSES = (PreparingCursor, DebugWrapper)
    return _CLASSES


def cursor(connection: Any = None) -> Any:
    """A cursor (use it as a context manager, like ``connection.cursor()``) for a statement whose text is the
    same on every call: on PostgreSQL it is parsed and planned once per connection (server-side binding, psycopg
    ``prepare=True``); elsewhere, or with ``LUOSHI_DB_PREPARED=0``, it is Django's ordinary cursor. Either way it
    is wrapped as Django wraps its own (``CaptureQueriesContext`` counts its statements, errors are Django's).
    Parameters are bound by PostgreSQL, so each must have a type it can infer from its place (a bare ``%s`` in a
    SELECT list needs a cast)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if not _server_prepares(connection):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None: not even `prepare=True` prepares). Django's own cursors bind
        # on the client and never prepare, whatever this says; a threshold no count reaches leaves only these
        # cursors' `prepare=True` preparing
        raw_connection.prepare_threshold = 1 << 30
    preparing, debug = _classes()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = preparing(raw_connection)
    return debug(raw, connection) if connection.queries_logged else connection.make_cursor(raw)


def _adapt(connection: Any, value: Any) -> Any:
    """A value as the compiler puts it into the parameters (dates as text on SQLite)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _Compiled:
    def __init__(self, connection: Any, queryset: models.QuerySet[Any], sentinels: dict[str, Any]) -> None:
        self.connection = connection
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.slots: dict[str, list[int]] = {}
        for name, sentinel in sentinels.items():
            adapted = _adapt(connection, sentinel)
            slots = [i for i, p in enumerate(self.params) if type(p) is type(adapted) and p == adapted]
            if not slots:
                raise ValueError(f"the value of {name!r} is not a parameter of the compiled query")
            self.slots[name] = slots
        compiler = self.compiler
        self.fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(self.fields)
        klass_info = compiler.klass_info
        assert klass_info is not None
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [f[0].target.attname for f in compiler.select[self.start : self.end]]
        self.klass_info = klass_info
        self.annotations = dict(compiler.annotation_col_map or {})
        self.fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
        self.db = queryset.db
        self.populators: list[Any] | None = None

    def run(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for name, slots in self.slots.items():
            adapted = _adapt(self.connection, values[name])
            for i in slots:
                params[i] = adapted
        with cursor(self.connection) as c:
            c.execute(self.sql, params)
            rows = [row[: self.compiler.col_count] for row in c.fetchall()]
        if self.converters:
            rows = [list(r) for r in self.compiler.apply_converters(rows, self.converters)]
        populators = self.populators
        if populators is None:  # built once: they hold only what the compiled SELECT says (columns, setters)
            populators = self.populators = get_related_populators(
                self.klass_info, self.compiler.select, self.db, self.fetch_mode
            )
        out: list[Any] = []
        peers: list[Any] = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end], fetch_mode=self.fetch_mode)
            if self.fetch_mode.track_peers:
                peers.append(weakref.ref(obj))
                obj._state.peers = peers
            for populator in populators:
                populator.populate(row, obj)
            for attr, pos in self.annotations.items():
                setattr(obj, attr, row[pos])
            out.append(obj)
        return out


class Prepared[M: models.Model]:
    """``Prepared(build, name=sentinel, ...)``: `build(**values)` returns the queryset; it is compiled once per
    connection (thread) with the sentinels, and ``.rows(**values)`` / ``.first(**values)`` run it with
    `values`. Sentinels must be values no real call uses (they are found in the parameter list by value)."""

    def __init__(self, build: Callable[..., models.QuerySet[M]], **sentinels: Any) -> None:
        self.build = build
        self.sentinels = sentinels
        self._local = threading.local()

    def _compiled(self) -> _Compiled:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None or compiled.connection is not connection:
            compiled = _Compiled(connection, self.build(**self.sentinels), self.sentinels)
            self._local.compiled = compiled
        return compiled

    def rows(self, **values: Any) -> list[M]:
        return self._compiled().run(values)

    def first(self, **values: Any) -> M | None:
        found = self.rows(**values)
        return found[0] if found else None


# --- inserts ---------------------------------------------------------------------------------------------------
class _CompiledInsert:
    def __init__(self, connection: Any, fields: list[Any], sql: str, returning: list[Any]) -> None:
        self.connection = connection
        self.sql = sql
        self.fields = fields
        self.returning = returning


class PreparedInsert[M: models.Model]:
    """One model's single-row INSERT compiled once per connection (thread): the SQL text of an INSERT of the same
    columns never changes, but Django builds it again for every ``save()`` (about a quarter of an API intake's
    CPU went to compiling its three INSERTs: the request, its metrics delta, its audit event). ``insert(obj)``
    computes each value exactly as Django's insert compiler does (``field.pre_save(obj, add=True)`` then
    ``get_db_prep_save``), executes through the connection's cursor (``CaptureQueriesContext`` counts it), and
    sets the primary key from ``RETURNING``; ``save=True`` also sends ``pre_save``/``post_save`` and marks the
    instance saved, as ``Model.save(force_insert=True)`` does. Values that are expressions (``F()``, a database
    default) change the SQL: such an object goes through Django's own path instead.

    ``on_conflict="ignore"`` compiles ``ON CONFLICT DO NOTHING`` (``INSERT OR IGNORE`` on SQLite): ``insert``
    then returns False when a unique constraint held the row."""

    def __init__(self, model: type[M], *, ignore_conflicts: bool = False, returning: bool = True) -> None:
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        self.returning = returning
        self._local = threading.local()

    def _fields(self) -> list[Any]:
        meta = self.model._meta
        return [
            f
            for f in meta.local_concrete_fields
            if f is not meta.auto_field and not getattr(f, "generated", False)
        ]

    def _field_list(self) -> list[Any]:
        fields: list[Any] | None = getattr(self, "_field_cache", None)
        if fields is None:
            fields = self._field_cache = self._fields()
        return fields

    def _compiled(self, obj: M) -> _CompiledInsert:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled: _CompiledInsert | None = getattr(self._local, "compiled", None)
        if compiled is not None and compiled.connection is connection:
            return compiled
        from django.db.models.constants import OnConflict
        from django.db.models.sql import InsertQuery

        fields = self._field_list()
        for f in fields:
            if hasattr(f, "get_placeholder"):
                raise ValueError(f"{self.model.__name__}.{f.name}: its INSERT text depends on the value")
        meta = self.model._meta
        returning = [meta.pk] if self.returning and meta.auto_field is not None else []
        query = InsertQuery(self.model, on_conflict=OnConflict.IGNORE if self.ignore_conflicts else None)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
        compiler.returning_fields = returning or None
        statements = compiler.as_sql()
        if len(statements) != 1:
            raise ValueError(f"{self.model.__name__}: not one INSERT statement")
        sql, params = statements[0]
        if len(params) != len(fields):
            raise ValueError(f"{self.model.__name__}: the INSERT has {len(params)} parameters for {len(fields)} fields")
        if returning and not connection.features.can_return_columns_from_insert:
            raise ValueError(f"{connection.vendor} cannot return the new id from an INSERT")
        compiled = _CompiledInsert(connection, fields, sql, returning)
        self._local.compiled = compiled
        return compiled

    def insert(self, obj: M, *, save: bool = True) -> bool:
        """INSERT `obj`; True when a row was inserted (always, unless compiled with ignore_conflicts)."""
        from django.db.models.signals import pre_save

        model = self.model
        if save:
            pre_save.send(sender=model, instance=obj, raw=False, using=DEFAULT_DB_ALIAS, update_fields=None)
        for f in self._field_list():
            if hasattr(getattr(obj, f.attname, None), "resolve_expression"):
                # an expression or a database default (`DatabaseDefault`) makes another SQL text: Django's path
                return self._django_insert(obj, save=save)
        compiled = self._compiled(obj)
        connection = compiled.connection
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in compiled.fields]
        with cursor(connection) as c:
            c.execute(compiled.sql, params)
            if compiled.returning:
                rows = c.fetchall()
                if not rows:
                    return False
                obj.pk = rows[0][0]
            elif self.ignore_conflicts and c.rowcount == 0:
                return False
        self._saved(obj, save=save)
        return True

    def _django_insert(self, obj: M, *, save: bool) -> bool:
        from django.db.models.constants import OnConflict

        rows = self.model._base_manager._insert(  # type: ignore[attr-defined]
            [obj],
            fields=self._field_list(),
            returning_fields=[self.model._meta.pk] if self.returning else None,
            using=DEFAULT_DB_ALIAS,
            on_conflict=OnConflict.IGNORE if self.ignore_conflicts else None,
        )
        if self.returning:
            if not rows:
                return False
            obj.pk = rows[0][0]
        self._saved(obj, save=save)
        return True

    def _saved(self, obj: M, *, save: bool) -> None:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
        if save:
            from django.db.models.signals import post_save

            post_save.send(
                sender=self.model, instance=obj, created=True, update_fields=None, raw=False, using=DEFAULT_DB_ALIAS
            )


# --- updates of one row ----------------------------------------------------------------------------------------
_UPDATE_SQL: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[models.Field[Any, Any]]]] = {}


def update_row(model: type[models.Model], pk: Any, values: dict[str, Any]) -> int:
    """``model.objects.filter(pk=pk).update(**values)`` without compiling it on every call: the UPDATE text of
    one set of columns is kept (per model, database vendor and column names), each value is prepared as the
    update compiler prepares it (``field.get_db_prep_save``), and the statement goes through :func:`cursor`
    (prepared once per connection on PostgreSQL; counted by ``CaptureQueriesContext``). Like ``update()`` it
    sends no signals and sets no ``auto_now`` field. A value that is an expression (``F()``), a relation given
    as an instance, or a name that is not a concrete column goes through Django's ``update()``. Returns the
    number of rows changed."""
    connection = connections[DEFAULT_DB_ALIAS]
    names = tuple(values)
    key = (model._meta.label_lower, connection.vendor, names)
    entry = _UPDATE_SQL.get(key)
    if entry is None:
        meta = model._meta
        fields: list[models.Field[Any, Any]] = []
        for name in names:
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:  # Django's update() says so
                return model._base_manager.filter(pk=pk).update(**values)
            if (
                not isinstance(field, models.Field)
                or not field.concrete
                or field.is_relation
                or field.primary_key
                or not field.column
            ):
                return model._base_manager.filter(pk=pk).update(**values)
            fields.append(field)
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(str(f.column))} = %s" for f in fields)
        assert meta.pk is not None and meta.pk.column
        sql = f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"
        entry = _UPDATE_SQL[key] = (sql, fields)
    sql, fields = entry
    params: list[Any] = []
    for field, value in zip(fields, values.values(), strict=True):
        if hasattr(value, "resolve_expression"):
            return model._base_manager.filter(pk=pk).update(**values)
        params.append(field.get_db_prep_save(value, connection))
    pk_field = model._meta.pk
    assert pk_field is not None
    params.append(pk_field.get_db_prep_value(pk, connection))
    with cursor(connection) as c:
        c.execute(sql, params)
        return int(c.rowcount)
