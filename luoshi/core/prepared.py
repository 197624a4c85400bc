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
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)

__all__ = ["Prepared"]


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

    def run(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for name, slots in self.slots.items():
            adapted = _adapt(self.connection, values[name])
            for i in slots:
                params[i] = adapted
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = [row[: self.compiler.col_count] for row in cursor.fetchall()]
        if self.converters:
            rows = [list(r) for r in self.compiler.apply_converters(rows, self.converters)]
        populators = get_related_populators(self.klass_info, self.compiler.select, self.db, self.fetch_mode)
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
