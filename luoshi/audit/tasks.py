"""Background job of the audit trail: seal (hash-chain) the rows written since the last run, every minute."""

from __future__ import annotations

from luoshi.core.jobs import crontab, periodic_job


@periodic_job(crontab(minute="*"), retries=1, retry_delay=30)
def seal_audit_trail() -> int:
    """Rows are inserted unsealed so writers take no lock (ADR 55); this bounds how long a row stays unsealed to
    about a minute after its transaction commits. Skips if another sealer is running."""
    from luoshi.audit.services import seal

    return seal(wait=False).sealed
