"""`MediationCase` run in-process, through its own code, with only the I/O seams replaced.

The rules-level model test (tests/test_mediation_model.py) drives this harness rather than a hand
copy of the workflow's wiring, so that a fault in `workflows/mediation.py` or
`workflows/machinery.py` (a wrong deadline planned, a check left out of a handler, a duty settled
by the wrong act) is a fault the model can find. What is replaced, and nothing else:

- `_planning`: the planning activities (`activities.deadlines.DeadlineActivities`, what the worker
  registers) are run directly, their refusal turned into the workflow's refusal in words;
- `_send`: announcements are queued through the real `_notify` (keys, recipients, message facts),
  and `deliver()` reports each as sent through the real `_delivered`, which is what meets the
  health notice and agreement notice duties;
- `temporalio.workflow.now`, `workflow.info` (the workflow id is the reference), `workflow.patched` (a new case), the search
  attribute and current-details calls, the workflow logger and its metric meter (`CountingMeter`:
  what the case told operators, workflows/metrics.py), patched for the harness's life.

An update runs as Temporal runs it: its validator first (a refusal there never reaches history),
then the handler coroutine, which re-checks under the lock (`_acting`, unchanged). Alarms ring
through the workflow's own `_wait_for_next_alarm`, at their own times, as the clock moves on.
Nothing here may wait: a handler that awaits anything but the replaced seams fails the test.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Coroutine, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, TypeVar
from unittest.mock import patch

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.workflow import _Definition

from activities.deadlines import DeadlineActivities
from activities.names import PLAN_APPEAL_DEADLINE, PLAN_DEADLINE, PLAN_DEADLINES
from domain.models import Channel, DeliveryStatus, OpenMediation
from domain.notifications import Announcement, Delivery, Notice
from workflows.mediation import MediationCase

T = TypeVar("T")
UPDATES = _Definition.from_class(MediationCase).updates  # name -> handler and validator, as the worker registers them


def run_now(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that must finish without waiting (planning, a handler once the case is open)."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise AssertionError("the workflow waited: something the harness does not replace was awaited")


class Refused(Exception):
    """The update was refused: by its validator (`in_validator`), or by its handler after acceptance."""

    def __init__(self, message: str, in_validator: bool) -> None:
        super().__init__(message)
        self.in_validator = in_validator


class WorkflowFinished(Exception):
    """The workflow has completed (closed, no clock of the family's left): the server answers "not found"."""


class HarnessedMediation(MediationCase):
    """`MediationCase` with its I/O seams replaced (see the module docstring)."""

    def __init__(self, start: OpenMediation, planning: DeadlineActivities) -> None:
        self._planner = planning
        self.outbox: list[Notice] = []  # queued, not yet delivered
        self.sent: list[Notice] = []  # every notice the delivery activity was given, in order
        self.fail_for: set[str] = set()  # recipient ids whose address is rejected: their messages fail
        self.search_attributes: dict[str, Any] = {}
        super().__init__(start)

    async def _planning(self, activity: str, request: object, result_type: type, summary: str):
        run = {
            PLAN_DEADLINE: self._planner.plan_deadline,
            PLAN_DEADLINES: self._planner.plan_deadlines,
            PLAN_APPEAL_DEADLINE: self._planner.plan_appeal_deadline,
        }[activity]
        try:
            return run_now(run(request))
        except ApplicationError as error:  # as `_planning` turns the activity's failure into a refusal
            raise ApplicationError(error.message, type="RuleViolation", non_retryable=True) from None

    def _send(self, announcements: Iterable[Announcement]) -> None:
        for announcement in announcements:
            self.outbox.extend(self._queue(announcement))

    def deliver(self) -> list[Notice]:
        """Every queued message is sent (or fails, for `fail_for`): the real `_delivered` records it,
        meets any duty it is, or tells the officer of the failure."""
        delivered = []
        while self.outbox:
            notice = self.outbox.pop(0)
            self._deliveries_in_flight -= 1
            if notice.recipient.id in self.fail_for:
                delivery = Delivery(status=DeliveryStatus.failed, reason="the address was rejected")
            else:
                delivery = Delivery(status=DeliveryStatus.sent, channel=Channel.email)
            self._delivered(notice, delivery)
            delivered.append(notice)
        self.sent.extend(delivered)
        return delivered


class CountingMeter:
    """The workflow's metric meter, as far as a case uses it: each counter's additions by labels."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, frozenset]] = Counter()

    def create_counter(self, name: str, description: str | None = None, unit: str | None = None) -> SimpleNamespace:
        def add(value: int, labels: dict[str, str] | None = None) -> None:
            self.counts[name, frozenset((labels or {}).items())] += value

        return SimpleNamespace(add=add)

    def total(self, name: str) -> int:
        return sum(count for (counted, _), count in self.counts.items() if counted == name)


@dataclass
class MediationHarness:
    """One in-process `MediationCase` and its clock."""

    now: datetime
    planning: DeadlineActivities
    workflow: HarnessedMediation = field(init=False)
    meter: CountingMeter = field(default_factory=CountingMeter)
    _patches: ExitStack = field(default_factory=ExitStack)

    def open(self, reference: str, opened: OpenMediation) -> None:
        """Start the workflow: `__init__`, then `_open` and the first publication, as `_run_case` does."""
        self._patch(reference)
        self.workflow = HarnessedMediation(opened, self.planning)
        run_now(self.workflow._open())
        self.workflow._opened = True
        self.workflow._publish()
        self.settle()

    def _patch(self, reference: str) -> None:
        info = SimpleNamespace(workflow_id=reference, is_continue_as_new_suggested=lambda: False)

        def upsert(updates) -> None:
            for update in updates:
                self.workflow.search_attributes[update.key.name] = update.value

        for name, value in {
            "now": lambda: self.now, "info": lambda: info, "upsert_search_attributes": upsert,
            "set_current_details": lambda details: None, "logger": logging.getLogger("tests.mediation_harness"),
            "patched": lambda patch_id: True,  # a new case: every patch's new path
            "metric_meter": lambda: self.meter,
        }.items():
            self._patches.enter_context(patch.object(workflow, name, value))

    def close(self) -> None:
        self._patches.close()

    @property
    def finished(self) -> bool:
        """The run loop has ended: the case is closed and no clock of the family's still runs."""
        return not self.workflow._running()

    def update(self, name: str, request: object) -> None:
        """Send an update as Temporal would: refused at once if the workflow has finished; the
        validator, then (accepted) the handler. Raises `Refused` or `WorkflowFinished`."""
        if self.finished:
            raise WorkflowFinished(name)
        definition = UPDATES[name]
        try:
            definition.validator(self.workflow, request)
        except ApplicationError as refusal:
            raise Refused(refusal.message, in_validator=True) from None
        try:
            run_now(definition.fn(self.workflow, request))
        except ApplicationError as refusal:
            raise Refused(refusal.message, in_validator=False) from None
        finally:
            self.settle()

    def query(self):
        return self.workflow.case_view()

    def wait_until(self, instant: datetime) -> None:
        """Time passes: every alarm due by `instant` rings at its own time, through the run loop's code."""
        while self.workflow._running():
            alarm = self.workflow.case.next_alarm()
            if alarm is None or alarm.at > instant:
                break
            self.now = max(self.now, alarm.at)
            run_now(self.workflow._wait_for_next_alarm())
            self.settle()
        self.now = max(self.now, instant)

    def settle(self) -> None:
        """After a handler or an alarm: alarms already due ring first (the run loop wakes in the same
        workflow task, before any delivery activity can report back), then the queued messages go out."""
        while True:
            alarm = self.workflow.case.next_alarm()
            if self.workflow._running() and alarm is not None and alarm.at <= self.now:
                run_now(self.workflow._wait_for_next_alarm())
                continue
            if not self.workflow.deliver():
                break


@contextmanager
def harnessed(now: datetime, planning: DeadlineActivities, reference: str, opened: OpenMediation) -> Iterator[MediationHarness]:
    harness = MediationHarness(now=now, planning=planning)
    try:
        harness.open(reference, opened)
        yield harness
    finally:
        harness.close()
