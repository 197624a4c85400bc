"""Dataclasses the parser returns. Plain data: no Django, JSON-friendly through `to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Kind = Literal["plan", "interpretation", "news"]


@dataclass
class Target:
    """A figure a measure commits to reach: `value` `unit`, compared with `op` (">=", ">", "<=", "<", "==")."""

    metric: str
    value: float
    unit: str
    op: str = ">="
    implicit: bool = False
    phrase: str = ""
    rule: str = ""  # the rule that read it (targets.TARGET_RULES)
    span: tuple[int, int] | None = None  # of the phrase, in the text it was read from

    def to_score_dict(self) -> dict[str, Any]:
        value: float | int = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "metric": self.metric,
            "value": value,
            "unit": self.unit,
            "op": self.op,
            "implicit": self.implicit,
        }


@dataclass
class Reading:
    """Why the parser read something: the rule that produced it and where it was read (offsets into
    `ParseResult.text`). `check`, when set, says in Chinese why a reviewer should look at it first."""

    field: str  # section | text | lead | co | deadline | target
    value: str
    rule: str
    span: tuple[int, int] | None = None
    check: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "rule": self.rule,
            "span": list(self.span) if self.span else None,
            "check": self.check,
        }


@dataclass
class UnitResolution:
    """What the org directory says about a unit name: resolved, ambiguous (several candidates) or unknown."""

    name: str
    status: Literal["resolved", "ambiguous", "unknown"]
    unit_id: int | None = None
    canonical: str | None = None
    candidates: list[str] = field(default_factory=list)


@dataclass
class ExtractedMeasure:
    seq: int
    path: list[str]
    title: str | None
    text: str
    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    deadline: date | None = None
    deadline_phrase: str | None = None
    ongoing: bool = False
    phases: list[dict[str, Any]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)
    unresolved_units: list[str] = field(default_factory=list)
    suggested_units: list[tuple[str, float]] = field(default_factory=list)
    resolutions: dict[str, UnitResolution] = field(default_factory=dict)
    source: str = "text"  # "text" (narrative) or "table" (a task-table row)
    reasons: list[Reading] = field(default_factory=list)

    @property
    def checks(self) -> list[str]:
        """What a reviewer should check in this measure (low-confidence readings), in Chinese."""
        return list(dict.fromkeys(r.check for r in self.reasons if r.check))

    def to_score_dict(self) -> dict[str, Any]:
        """Exactly the scorer's JSONL schema (see tools/score_extraction.py)."""
        return {
            "text": self.text,
            "path": list(self.path),
            "title": self.title,
            "lead_units": list(self.lead_units),
            "co_units": list(self.co_units),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "targets": [t.to_score_dict() for t in self.targets],
        }

    def to_dict(self) -> dict[str, Any]:
        d = self.to_score_dict()
        d.update(
            seq=self.seq,
            deadline_phrase=self.deadline_phrase,
            ongoing=self.ongoing,
            phases=[
                {"date": p["date"].isoformat() if p.get("date") else None, "phrase": p["phrase"]}
                for p in self.phases
            ],
            span=list(self.span),
            unresolved_units=list(self.unresolved_units),
            suggested_units=[[u, round(s, 4)] for u, s in self.suggested_units],
            resolutions={k: asdict(v) for k, v in self.resolutions.items()},
            source=self.source,
            reasons=[r.to_dict() for r in self.reasons],
            checks=self.checks,
        )
        return d


@dataclass
class ParseResult:
    text: str
    kind: Kind = "plan"
    title: str = ""
    year: int | None = None
    issuer: str = ""
    issued_on: date | None = None
    doc_number: str = ""
    measures: list[ExtractedMeasure] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    responsibilities: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_name: str = ""
    source_format: str = "txt"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_name": self.source_name,
            "source_format": self.source_format,
            "kind": self.kind,
            "title": self.title,
            "year": self.year,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "doc_number": self.doc_number,
            "facts": self.facts,
            "responsibilities": self.responsibilities,
            "warnings": self.warnings,
            "measures": [m.to_dict() for m in self.measures],
            "text": self.text,
        }
