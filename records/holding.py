"""The workflow side of a legal hold on an open case: its view copied to the records store on every
change while it is held, so a complaint or a Tribunal appeal still has the file if the case is
deleted from Temporal (`temporal workflow delete`), where a hold alone kept nothing.

`hold` and `release` write the hold in the records store, then signal `hold_changed`. The signal
carries nothing: the copy activity asks the store whether the case is held, and the workflow copies
while it says so, so a stray signal changes nothing. Once the case closes, its own record
(records/archiving.py) keeps it and replaces the copy.

The copying starts only at a `hold_changed` signal, or in a run continued as new from a held one
(told by the memo `legal_hold`): a case never held issues no new command, and histories recorded
before copying existed replay unchanged.
Deterministic workflow code: no I/O here; the activity does the writing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.case import CaseFile
    from records.archiving import record_version
    from records.models import HeldCopied, held_copy_of
    from records.names import COPY_HELD_CASE, MISCONFIGURED

# As for the archive: a few minutes of retries (a database restarting), then a pause and again.
COPY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1), maximum_attempts=10,
    non_retryable_error_types=[MISCONFIGURED],
)
COPY_PAUSE = timedelta(minutes=30)
# Whether the run before was held: a run continued as new starts with the case alone.
HELD_MEMO = "legal_hold"


class HeldCopy:
    def __init__(self, case: Callable[[], CaseFile]) -> None:
        self._case = case  # the workflow's case as it now stands
        self.held = False  # as the records store last said
        self._asking = False  # the store is to be asked: the hold changed, or a held case continued as new
        self._copied: int | None = None  # the version last written
        self._copying = False
        self.started = False  # the copying task runs in this run (the workflow starts it)

    def resume(self) -> bool:
        """At the start of a run: whether the run before was held (then the store is asked again)."""
        if workflow.memo_value(HELD_MEMO, default=False, type_hint=bool):
            self.held = self._asking = True
        return self.held

    def hold_changed(self) -> None:
        self._asking = True

    def carried_over(self) -> dict[str, dict[str, bool]]:
        """What `continue_as_new` needs to carry the hold over; nothing for a case never held in this
        run, whose command stays as it was."""
        return {"memo": {HELD_MEMO: self.held}} if self.started else {}

    def _due(self) -> bool:
        case = self._case()
        if case.is_closed:
            return False  # its own record keeps a closed case
        return self._asking or (self.held and self._copied != record_version(case))

    def busy(self) -> bool:
        return self._copying or self._due()

    async def keep_up(self) -> None:
        """Runs from the first sign of a hold for the workflow's life: copies each version while held."""
        while True:
            await workflow.wait_condition(self._due)
            await self._copy()

    async def settle(self, failed: Callable[[], bool]) -> None:
        """Before continuing as new or completing: the copy asked for is written (or `failed` says a
        background task has failed; the caller raises it)."""
        if self.busy():
            await workflow.wait_condition(lambda: not self.busy() or failed())

    async def _copy(self) -> None:
        case = self._case()
        version = record_version(case)
        asked, self._asking = self._asking, False  # a signal during the write asks again
        self._copying = True
        try:
            copied = await workflow.execute_activity(
                COPY_HELD_CASE,
                held_copy_of(case, version, workflow.now()),
                result_type=HeldCopied,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=COPY_RETRY,
                summary="copy the case on legal hold",
            )
        except ActivityError:
            workflow.logger.warning("case %s: copying the held case failed; trying again later", case.reference)
            self._asking = self._asking or asked
            await workflow.sleep(COPY_PAUSE, summary="copy the held case again")
            return
        finally:
            self._copying = False
        held = copied is not HeldCopied.not_held
        if held != self.held:
            workflow.logger.info("case %s: %s", case.reference, "copied while on legal hold" if held else "no longer copied")
        self.held, self._copied = held, version
