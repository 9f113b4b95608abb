"""Deadline planning: the bank-holiday calendar and Europe/London live here, outside the workflow.

The workflow records each answer in its history, so a case replays with the dates it was given
even after the holiday data or the settings change.
"""

from __future__ import annotations

from temporalio import activity

from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy, DeadlineRequest, PlannedDeadline, plan_deadline


class DeadlineActivities:
    def __init__(self, policy: DeadlinePolicy, calendar: WorkingCalendar | None = None) -> None:
        self._policy = policy
        self._calendar = calendar or WorkingCalendar()

    @activity.defn(name="plan_deadline")
    async def plan_deadline(self, request: DeadlineRequest) -> PlannedDeadline:
        return plan_deadline(request, self._policy, self._calendar)
