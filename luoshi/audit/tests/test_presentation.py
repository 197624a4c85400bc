"""The audit trail as people read it: Chinese labels, Beijing time, no bookkeeping, no non-changes."""

from __future__ import annotations

from luoshi.audit.models import AuditEvent
from luoshi.audit.presentation import changes_of


def _event(before: dict[str, object], after: dict[str, object]) -> AuditEvent:
    return AuditEvent(subject_type="supervision.task", subject_id=1, action="x", before=before, after=after)


def test_a_stored_moment_is_shown_in_beijing_time_to_the_minute() -> None:
    (change,) = changes_of(_event({}, {"sign_off_requested_at": "2026-12-03T12:19:16.627374+00:00"}))
    assert change.field == "申请销号时间"
    assert change.new == "2026-12-03 20:19"


def test_bookkeeping_and_empty_non_changes_are_left_out() -> None:
    changes = changes_of(
        _event({"version": 3, "status": "in_progress"}, {"status": "returned", "sign_off_requested_by": None})
    )
    assert [c.field for c in changes] == ["状态"]


def test_a_field_without_a_name_of_its_own_takes_the_kernel_label() -> None:
    (change,) = changes_of(_event({"sign_off_requested_by": None}, {"sign_off_requested_by": 7}))
    assert change.field == "申请销号人"
