"""Deadline planning: the bank-holiday calendar and Europe/London live here, outside the workflow.

The workflow records each answer in its history, so a case replays with the dates it was given
even after the holiday data or the settings change. A date that cannot be planned (out of range)
fails at once, as a non-retryable `UnplannableDeadline` the workflow turns into a refusal in words.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.names import PLAN_APPEAL_DEADLINE, PLAN_DEADLINE, PLAN_DEADLINES, UNPLANNABLE
from domain.appeal import reckon_appeal_deadline
from domain.calendar import WorkingCalendar
from domain.deadlines import (
    APPEAL,
    AppealPlan,
    AppealRequest,
    DeadlinePolicy,
    DeadlineRequest,
    PlannedDeadline,
    plan_deadline,
)


class DeadlineActivities:
    def __init__(self, policy: DeadlinePolicy, calendar: WorkingCalendar | None = None) -> None:
        self._policy = policy
        self._calendar = calendar or WorkingCalendar()

    @activity.defn(name=PLAN_DEADLINE)
    async def plan_deadline(self, request: DeadlineRequest) -> PlannedDeadline:
        try:
            return plan_deadline(request, self._policy, self._calendar)
        except (OverflowError, ValueError) as error:
            raise _unplannable(request.name, error) from None

    @activity.defn(name=PLAN_DEADLINES)
    async def plan_deadlines(self, requests: list[DeadlineRequest]) -> list[PlannedDeadline]:
        """The deadlines one action sets, in one answer: one history marker, one wake-up of the workflow."""
        return [await self.plan_deadline(request) for request in requests]

    @activity.defn(name=PLAN_APPEAL_DEADLINE)
    async def plan_appeal_deadline(self, request: AppealRequest) -> AppealPlan:
        """The appeal clock (domain.appeal), then the warnings before it (DeadlinePolicy)."""
        try:
            reckoning = reckon_appeal_deadline(request.decision_date, request.certificate_date, self._calendar)
            planned = plan_deadline(
                DeadlineRequest(name=APPEAL, now=request.now, due=reckoning.due), self._policy, self._calendar
            )
        except (OverflowError, ValueError) as error:
            raise _unplannable(APPEAL, error) from None
        return AppealPlan(deadline=planned, steps=reckoning.steps)


def _unplannable(name: str, error: Exception) -> ApplicationError:
    return ApplicationError(
        f"the {name} deadline cannot be planned from the dates given ({type(error).__name__})",
        type=UNPLANNABLE,
        non_retryable=True,
    )
