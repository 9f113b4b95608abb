"""A reference model of DESIGN section 3 (stages, outcomes, staff actions), written from the design
alone and kept deliberately simple, for model-based tests: random sequences of staff actions, invalid
ones included, are applied to the model and to the product, and must agree.

`StaffStep` is one action with its arguments; `ReferenceCase.apply` says whether the design accepts
it (and changes the model) or refuses it (and changes nothing).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import strategies as st
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import london_date
from domain.models import (
    AddNote,
    AgreedActionInput,
    AppealStatus,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CompleteAction,
    ExtendDeadline,
    IssueCertificate,
    OfferResolution,
    RecordAppealStatus,
    RecordChoice,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ReportCannotArrange,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
    CaseView,
    Withdraw,
)
from infra.settings import Settings
from tests.conftest import isolated_settings, running_worker
from tests.heavy import is_heavy
from workflows.names import CASE_QUERY

OFFICER = "jo.smith"
PARTIES = ("applicant", "org-1", "org-2")
UNKNOWN_PARTY = "org-9"


@dataclass(frozen=True)
class StaffStep:
    """One staff action, or time passing (`wait`, `wait_for_session`), with the arguments the tests vary."""

    action: str
    party: str = "applicant"
    flag: bool = True  # agree / independent / resolved
    hours: int = 1  # session offset from now (negative: in the past), or time passing
    result: SessionResult = SessionResult.full_agreement
    owners: tuple[str, ...] = ()  # agreed actions' owners
    past_due: bool = False  # an agreed action due in the past
    number: int = 1  # an agreed action's number
    deadline: str = "appeal"
    short_notice: bool = False  # statutory mediation: the family agreed to less than 5 working days' notice
    days: int | None = None  # statutory mediation: a date staff give, this many days from today (None: default)
    status: AppealStatus = AppealStatus.lodged

    def request(self, now: datetime):
        """The update input this step sends (None for `wait`)."""
        match self.action:
            case "record_talk":
                return RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved if self.flag else TalkOutcome.unresolved)
            case "offer_resolution":
                return OfferResolution(actor=OFFICER)
            case "record_consent":
                return RecordConsent(actor=OFFICER, party=self.party, agree=self.flag)
            case "assign_mediator":
                return AssignMediator(actor=OFFICER, name="Pat Mediator", email="pat@mediation.example.org", independent=self.flag)
            case "schedule_session":
                return ScheduleSession(
                    actor=OFFICER, at=now + timedelta(hours=self.hours), venue="Town Hall", short_notice_agreed=self.short_notice
                )
            case "record_outcome":
                due = (now - timedelta(days=3)).date() if self.past_due else None
                actions = [AgreedActionInput(description=f"task {n}", owner=owner, agreed_due=due) for n, owner in enumerate(self.owners, 1)]
                return RecordOutcome(actor=OFFICER, result=self.result, actions=actions)
            case "complete_action":
                return CompleteAction(actor=OFFICER, number=self.number)
            case "withdraw":
                return Withdraw(actor=OFFICER, party=self.party, reason="no longer wishes to take part")
            case "extend_deadline":
                return ExtendDeadline(actor=OFFICER, deadline=self.deadline, days=5, reason="more time asked for")
            case "add_note":
                return AddNote(actor=OFFICER, text="called the family")
            case "record_choice":
                return RecordChoice(actor=OFFICER, mediate=self.flag, la_notified_on=self.given_day(now))
            case "issue_certificate":
                return IssueCertificate(actor=OFFICER, issued_on=self.given_day(now))
            case "report_cannot_arrange":
                return ReportCannotArrange(actor=OFFICER, reason="no mediator free", adviser_informed_on=self.given_day(now))
            case "record_appeal_status":
                return RecordAppealStatus(actor=OFFICER, status=self.status)
        return None

    def given_day(self, now: datetime) -> date | None:
        return None if self.days is None else london_date(now) + timedelta(days=self.days)


def steps_of_both_routes(any_party: st.SearchStrategy[str], session_hours: list[int]) -> list[st.SearchStrategy[StaffStep]]:
    """The staff actions both routes share, with arguments that are sometimes valid and sometimes not."""
    return [
        st.builds(StaffStep, action=st.just("assign_mediator"), flag=st.booleans()),
        st.builds(StaffStep, action=st.just("schedule_session"), hours=st.sampled_from(session_hours), short_notice=st.booleans()),
        st.builds(
            StaffStep, action=st.just("record_outcome"), result=st.sampled_from(list(SessionResult)),
            owners=st.lists(any_party, max_size=3).map(tuple), past_due=st.booleans(),
        ),
        st.builds(StaffStep, action=st.just("complete_action"), number=st.integers(0, 4)),
        st.builds(StaffStep, action=st.just("withdraw"), party=any_party),
        st.builds(StaffStep, action=st.just("extend_deadline"), deadline=st.sampled_from(["appeal", "no_such_deadline"])),
        st.builds(StaffStep, action=st.just("add_note")),
    ]


@dataclass
class ReferenceCase:
    now: datetime
    parties: tuple[str, ...] = PARTIES
    stage: CaseStage = CaseStage.informal_talks
    outcome: CaseOutcome | None = None
    consent: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PARTIES, "pending"))
    mediator: bool = False
    session_at: datetime | None = None
    sessions: int = 0
    result: SessionResult | None = None
    actions: dict[int, bool] = field(default_factory=dict)  # number -> done
    timeline: int = 1  # case_opened

    def apply(self, step: StaffStep) -> bool:
        """Apply the step if the design allows it; return whether it was accepted."""
        if step.action == "wait":
            self.now += timedelta(hours=step.hours)
            return True
        if step.action == "wait_for_session":  # until an hour after the session scheduled, if any
            self.now = max(self.now, (self.session_at or self.now) + timedelta(hours=1))
            return True
        if self.stage is CaseStage.closed:
            return self._after_closure(step)
        return getattr(self, f"_{step.action}")(step)

    def _after_closure(self, step: StaffStep) -> bool:
        return False  # a closed case accepts nothing

    def _close(self, outcome: CaseOutcome) -> None:
        self.stage, self.outcome = CaseStage.closed, outcome
        self.timeline += 1  # case_closed

    def _record_talk(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.informal_talks:
            return False
        self.timeline += 1
        if step.flag:
            self._close(CaseOutcome.resolved_informally)
        return True

    def _offer_resolution(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.informal_talks:
            return False
        self.stage = CaseStage.awaiting_consent
        self.timeline += 1
        return True

    def _record_consent(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.awaiting_consent or self.consent.get(step.party) != "pending":
            return False
        self.consent[step.party] = "agreed" if step.flag else "declined"
        self.timeline += 1
        if not step.flag:
            self._close(CaseOutcome.declined)
        elif all(answer == "agreed" for answer in self.consent.values()):
            self.stage = CaseStage.arranging_session
        return True

    def _assign_mediator(self, step: StaffStep) -> bool:
        if self.stage not in (CaseStage.arranging_session, CaseStage.session_scheduled) or not step.flag:
            return False  # SEND Code 11.6: independent of the Local Authority
        self.mediator = True
        self.timeline += 1
        return True

    def _session_fits(self, at: datetime) -> bool:
        """A session needs a mediator, and a time ahead but within a year."""
        if self.stage not in (CaseStage.arranging_session, CaseStage.session_scheduled) or not self.mediator:
            return False
        return self.now < at and at - self.now <= timedelta(days=365)

    def _schedule_session(self, step: StaffStep) -> bool:
        at = self.now + timedelta(hours=step.hours)
        if not self._session_fits(at):
            return False
        self.session_at, self.sessions, self.stage = at, self.sessions + 1, CaseStage.session_scheduled
        self.timeline += 1
        return True

    def _record_outcome(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.session_scheduled or self.session_at is None or self.session_at > self.now:
            return False
        if step.result is SessionResult.no_agreement and step.owners:
            return False
        if step.result is SessionResult.partial_agreement and not step.owners:
            return False
        if any(owner not in self.parties for owner in step.owners) or (step.owners and step.past_due):
            return False
        self.result = step.result
        self.actions = dict.fromkeys(range(1, len(step.owners) + 1), False)
        self.timeline += 1
        if self.actions:
            self.stage = CaseStage.monitoring_agreement
        else:
            self._close(CaseOutcome(step.result.value))
        return True

    def _complete_action(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.monitoring_agreement or self.actions.get(step.number) is not False:
            return False
        self.actions[step.number] = True
        self.timeline += 1
        if all(self.actions.values()):
            assert self.result is not None
            self._close(CaseOutcome(self.result.value))
        return True

    def _withdraw(self, step: StaffStep) -> bool:
        if step.party not in self.parties:
            return False
        self.consent[step.party] = "withdrawn"
        self.timeline += 1
        self._close(CaseOutcome.withdrawn)
        return True

    def _extend_deadline(self, step: StaffStep) -> bool:
        # The steps only name the appeal deadline (set by law: never extended here) or one the case
        # does not have; extending a real deadline is tested where deadlines are planned.
        return False

    def _add_note(self, step: StaffStep) -> bool:
        self.timeline += 1
        return True


async def send_step(handle: WorkflowHandle, step: StaffStep, model: ReferenceCase, seed: int) -> tuple[CaseView, bool]:
    """Send one step to a running case as its update, now; check that it is accepted exactly when the
    model accepts it (a refusal in words), and return the case as it then is, and whether it was accepted."""
    model.now = datetime.now(UTC)
    view = None
    try:
        view = await handle.execute_update(step.action, step.request(model.now), result_type=CaseView)
    except WorkflowUpdateFailedError as refusal:
        assert str(refusal.cause), f"seed {seed}: {step} refused without words"
    except RPCError as refusal:  # closed with no clock left running: the workflow has finished
        assert refusal.status is RPCStatusCode.NOT_FOUND and model.stage is CaseStage.closed, refusal
    accepted = view is not None
    assert accepted == model.apply(step), f"seed {seed}: {step}"
    if view is None:
        return await handle.query(CASE_QUERY, result_type=CaseView), False
    if view.session is not None and model.session_at is not None:
        model.session_at = view.session.at  # the time the model asked for, as the case stores it
    return view, True


@asynccontextmanager
async def seeded_runs(config: pytest.Config, client: Client, tmp_path: Path) -> AsyncIterator[tuple[Settings, list[random.Random]]]:
    """A worker of their own for end-to-end sequences, and their random sources: 4 (40 with --heavy),
    each seeded by its place in the list, so that a failure names its seed."""
    settings = isolated_settings(tmp_path)
    async with running_worker(client, settings):
        yield settings, [random.Random(seed) for seed in range(40 if is_heavy(config) else 4)]
