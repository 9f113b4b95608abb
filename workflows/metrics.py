"""The product's metrics from a case workflow, through the workflow's metric meter (DESIGN section 15).

The SDK records nothing while a workflow replays, so a case counts each event once, when it first
happens, however often it is replayed. A metric adds no command to history: no patch is needed and
old histories replay as before (tests/test_replay.py). Labels are the route, the outcome, the kind of
duty, the channel and the template only: never a reference, a party or anything said about them.
The SDK adds its own: namespace, task queue and workflow type.

Counted from the case file after each change (`CaseMetrics.changed`), not in each route's actions,
so that an action a route adds later is counted without touching it.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.case import CaseFile
    from domain.deadlines import APPEAL
    from domain.duties import duty_kind
    from domain.models import DeadlineState
    from domain.notifications import NO_CHANNEL, Delivery, Template

CASES_OPENED = "disagreement_cases_opened"
CASES_CLOSED = "disagreement_cases_closed"
DUTIES_MET_ON_TIME = "disagreement_duties_met_on_time"
DUTIES_MET_LATE = "disagreement_duties_met_late"
DUTIES_MISSED = "disagreement_duties_missed"
MESSAGES_SENT = "disagreement_messages_sent"
MESSAGES_FAILED = "disagreement_messages_failed"

DESCRIPTIONS = {
    CASES_OPENED: "Cases opened, by route",
    CASES_CLOSED: "Cases closed, by route and outcome",
    DUTIES_MET_ON_TIME: "Duties met by their due date, by route and kind of duty",
    DUTIES_MET_LATE: "Duties met after their due date, by route and kind of duty",
    DUTIES_MISSED: "Duties whose due date passed before they were met, by route and kind of duty",
    MESSAGES_SENT: "Messages sent, by route, channel and template",
    MESSAGES_FAILED: "Messages that could not be sent (recorded on the case as failed), by route, channel and template",
}

# A deadline as counted: its state and the day it was settled (met, met late or cancelled).
Standing = tuple[DeadlineState, date | None]


def _standing(case: CaseFile) -> dict[str, Standing]:
    return {deadline.name: (deadline.state, deadline.settled_on) for deadline in case.deadlines if deadline.name != APPEAL}


class CaseMetrics:
    """Counts what changed in a case since it was last looked at. Begun from the case as it stands
    when this run starts: a case continued as new is not counted again."""

    def __init__(self, case: CaseFile) -> None:
        self._route = case.view().route.value
        self._standing = _standing(case)
        self._closed = case.is_closed

    def _add(self, metric: str, **labels: str) -> None:
        counter = workflow.metric_meter().create_counter(metric, DESCRIPTIONS[metric])
        counter.add(1, {"route": self._route, **labels})

    def opened(self) -> None:
        self._add(CASES_OPENED)

    def changed(self, case: CaseFile) -> None:
        now = _standing(case)
        for name, (state, settled_on) in now.items():
            before_state, before_settled = self._standing.get(name, (DeadlineState.open, None))
            duty = duty_kind(name)
            if state is DeadlineState.missed and before_state is not DeadlineState.missed:
                self._add(DUTIES_MISSED, duty=duty)
            if settled_on is not None and before_settled is None:
                if state is DeadlineState.met:
                    self._add(DUTIES_MET_ON_TIME, duty=duty)
                elif state is DeadlineState.missed:
                    self._add(DUTIES_MET_LATE, duty=duty)
        self._standing = now
        if case.is_closed and not self._closed:
            self._add(CASES_CLOSED, outcome=case.outcome.value if case.outcome else "none")
        self._closed = case.is_closed

    def delivered(self, template: Template, delivery: Delivery, failed: bool) -> None:
        channel = delivery.channel.value if delivery.channel else NO_CHANNEL
        self._add(MESSAGES_FAILED if failed else MESSAGES_SENT, channel=channel, template=template.value)
