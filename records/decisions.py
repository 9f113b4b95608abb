"""Staff decisions about records, the same from the command line and the console: legal holds, and
erasure, which one records officer asks for and a second one approves (DESIGN section 12).

The caller has checked the role (`Act.records`). Each step checks the case and says in words why it
cannot be taken (`Refused`); approving one's own erasure request is `NotAllowed`. Each front says
what was done in its own words.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cases.client import Cases, Refused
from infra.identity import NotAllowed
from records.models import DeletionEntry, RecordsRequest

SECOND_OFFICER = "not allowed: an erasure needs a second records officer to approve it, not the one who asked for it"


async def place_hold(cases: Cases, reference: str, request: RecordsRequest) -> None:
    """Holds the record; an open case then copies itself to the records while held (records/holding.py)."""
    if await cases.records.get(reference) is None and not await cases.exists(reference):
        raise Refused(f"no case {reference}")
    if not await cases.records.hold(reference, request.reason, request.actor, datetime.now(UTC)):
        raise Refused(f"case {reference} is already on legal hold; release it first to change the reason")
    await cases.hold_changed(reference)


async def release_hold(cases: Cases, reference: str, request: RecordsRequest) -> None:
    """Lifts the hold; an open case then stops copying itself (its last copy stays)."""
    if not await cases.records.release(reference, request.reason, request.actor, datetime.now(UTC)):
        raise Refused(f"case {reference} is not on legal hold")
    await cases.hold_changed(reference)


async def ask_erasure(cases: Cases, reference: str, request: RecordsRequest) -> None:
    """Records the request, once the case could be erased now; a second records officer approves it."""
    await _erasable(cases, reference)
    if not await cases.records.ask_erasure(reference, request.reason, request.actor, datetime.now(UTC)):
        asked = await cases.records.erasure_request(reference)
        by = f" by {asked.requested_by} on {asked.requested_at:%Y-%m-%d}" if asked else ""
        raise Refused(f"an erasure of case {reference} was already asked for{by}: a second records officer approves it")


async def approve_erasure(cases: Cases, reference: str, approver: str) -> tuple[DeletionEntry, int]:
    """Erases the case as asked: the purge's checks, its Temporal history, its record (with whatever the
    records store destroys beside it) and its outbox files. Returns the deletion and how many files went."""
    request = await cases.records.erasure_request(reference)
    if request is None:
        raise Refused(f"no erasure of case {reference} has been asked for: a records officer asks for it first, with the reason")
    if request.requested_by == approver:
        raise NotAllowed(SECOND_OFFICER)
    await _erasable(cases, reference)
    await cases.delete_history(reference)
    entry = await cases.records.erase(
        reference, request.reason, approver, datetime.now(UTC), requested_by=request.requested_by
    )
    if entry is None:  # a hold placed a moment ago wins
        raise Refused(f"case {reference} was put on legal hold meanwhile; nothing was erased")
    return entry, cases.erase_outbox(reference)  # the development outbox keeps each message as written


async def _erasable(cases: Cases, reference: str) -> None:
    """The purge's checks: the case has finished, its record is archived, and it is not on legal hold."""
    if await cases.is_running(reference):
        raise Refused(f"case {reference} is still running in Temporal: only a finished case can be erased")
    if await cases.records.get(reference) is None:
        raise Refused(f"no closed case {reference} in the records")
    if any(held.reference == reference for held in await cases.records.holds()):
        raise Refused(f"case {reference} is on legal hold: release it first")
