"""Model-based tests of DESIGN section 8 (statutory mediation): random sequences of staff actions,
invalid ones included, against the reference model in tests/mediation_model.py, as
tests/test_case_model.py does for section 3. Every accepted action must leave the case as the model
says; every refused one must change nothing and say why in words.

- On the rules (`domain.mediation.Mediation`, checked, planned and applied as the workflow does):
  hypothesis stateful testing, 200 sequences in `make test`, 5,000 with `pytest --heavy`; each
  case opens on a decision date, issues and `school_only` drawn at random.
- End to end, through the workflow's updates on the dev server: seeded sequences, 4 in `make test`,
  40 with `--heavy`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from temporalio.testing import WorkflowEnvironment

from activities.deadlines import DeadlineActivities
from domain.calendar import london_date
from domain.case import RuleViolation
from domain.deadlines import (
    CERTIFICATE,
    HEALTH_NOTICE,
    MEDIATION_ARRANGEMENT,
    SESSION,
    SESSION_NOTICE,
    AppealPlan,
    AppealRequest,
    DeadlinePolicy,
    DeadlineRequest,
    PlannedDeadline,
    action_deadline,
)
from domain.mediation import Mediation
from domain.models import (
    AppealStatus,
    CaseStage,
    CaseView,
    CertificateReason,
    DeadlineState,
    MediationIssue,
    SessionResult,
)
from tests.conftest import opened_view
from tests.heavy import run_sequences
from tests.journeys import open_mediation
from tests.case_model import UNKNOWN_PARTY, StaffStep, seeded_runs, send_step, steps_of_both_routes
from tests.mediation_model import LA_PARTIES, WITH_HEALTH, WORKING_DAYS, ReferenceMediation
from workflows.mediation import MediationCase

T = TypeVar("T")
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
PLANNING = DeadlineActivities(DeadlinePolicy(), WORKING_DAYS)  # what the workflow's planning activities run
ANY_PARTY = st.sampled_from([*WITH_HEALTH, UNKNOWN_PARTY])
GIVEN_DAY = st.sampled_from([None, 0, -1, -40, 1])  # a date staff give: default, today, past, before the decision, future
# Around the 5 working days' notice: an hour, a day, and 5 days (Saturday) to 8 days (Tuesday) ahead; over a year.
SESSION_HOURS = [-2, 1, 30, 24 * 5, 24 * 6, 24 * 7, 24 * 8, 24 * 400]
ISSUE_SETS = [[MediationIssue.education], [MediationIssue.health], [MediationIssue.education, MediationIssue.health],
              [MediationIssue.social_care]]


def steps() -> st.SearchStrategy[StaffStep]:
    """Every staff action of a mediation case, sometimes valid and sometimes not, and time passing."""
    return st.one_of(
        st.builds(StaffStep, action=st.just("record_choice"), flag=st.booleans(), days=GIVEN_DAY),
        st.builds(StaffStep, action=st.just("issue_certificate"), days=GIVEN_DAY),
        # Dated before the LA was told: a known gap, tested on its own (below).
        st.builds(StaffStep, action=st.just("report_cannot_arrange"), days=st.sampled_from([None, 0, 1])),
        *steps_of_both_routes(ANY_PARTY, SESSION_HOURS),
        st.builds(StaffStep, action=st.just("record_appeal_status"), status=st.sampled_from(list(AppealStatus))),
        st.builds(StaffStep, action=st.just("wait"), hours=st.sampled_from([1, 2, 48, 24 * 8])),
        st.builds(StaffStep, action=st.just("wait_for_session")),
    )


def next_steps(stage: CaseStage) -> st.SearchStrategy[StaffStep]:
    """Steps that move a case on from `stage` (still sometimes refused), so that half of all steps
    push towards a session, an outcome and the certificate rather than wander."""
    onward = {
        CaseStage.advice: st.builds(StaffStep, action=st.just("record_choice"), flag=st.sampled_from([True, True, False])),
        CaseStage.arranging_session: st.one_of(
            st.builds(StaffStep, action=st.just("assign_mediator")),
            st.builds(StaffStep, action=st.just("schedule_session"), hours=st.sampled_from(SESSION_HOURS[2:-1]), short_notice=st.booleans()),
        ),
        CaseStage.session_scheduled: st.one_of(
            st.builds(StaffStep, action=st.just("wait_for_session")),
            st.builds(StaffStep, action=st.just("record_outcome"), result=st.sampled_from(list(SessionResult)),
                      owners=st.lists(st.sampled_from(LA_PARTIES), max_size=2).map(tuple)),
        ),
        CaseStage.monitoring_agreement: st.builds(StaffStep, action=st.just("complete_action"), number=st.integers(1, 2)),
        CaseStage.closed: st.builds(StaffStep, action=st.sampled_from(["issue_certificate", "record_appeal_status"])),
    }
    return onward.get(stage, st.nothing())


STEPS_FROM = {stage: st.one_of(next_steps(stage), steps()) for stage in CaseStage}  # built once: drawn at every step


def answer(planning: Coroutine[None, None, T]) -> T:
    """The planning activities' answer: they never wait, so one step of the coroutine finishes them."""
    try:
        planning.send(None)
    except StopIteration as finished:
        return finished.value
    raise AssertionError("a planning activity waited")


def planned(name: str, now: datetime, **when) -> PlannedDeadline:
    return answer(PLANNING.plan_deadline(DeadlineRequest(name=name, now=now, **when)))


def appeal_plan(case: Mediation, now: datetime, certificate: date | None) -> AppealPlan:
    request = AppealRequest(now=now, decision_date=case.opened.decision_date, certificate_date=certificate)
    return answer(PLANNING.plan_appeal_deadline(request))


def open_on_the_rules(decided: date, now: datetime, **overrides) -> Mediation:
    """Open a case as the workflow does: check, compute the appeal clock, announce."""
    case = Mediation.open("MD-2026-MODEL1", open_mediation(decided, **overrides), now)
    case.check_open(london_date(now))
    case.set_appeal(appeal_plan(case, now, certificate=None), now)
    case.announce_opening(now, london_date(now))
    return case


def check_and_apply(case: Mediation, step: StaffStep, now: datetime) -> None:
    """What `MediationCase` does with an update: check (the validator), plan, then apply; raises RuleViolation."""
    request, today = step.request(now), london_date(now)
    match step.action:
        case "record_choice":
            case.check_record_choice(request, today)
            told = request.la_notified_on or today
            names = ([MEDIATION_ARRANGEMENT] + ([HEALTH_NOTICE] if case.includes_health else [])) if request.mediate else [CERTIFICATE]
            case.record_choice(request, [planned(name, now, start_day=told) for name in names], now, today)
        case "issue_certificate":
            case.check_issue_certificate(request, today)
            issued = request.issued_on or today
            case.issue_certificate(request, appeal_plan(case, now, issued) if case.certificate_counts else None, now, today)
        case "report_cannot_arrange":
            case.check_report_cannot_arrange(request, today)
            case.report_cannot_arrange(request, planned(CERTIFICATE, now, start_day=request.adviser_informed_on or today), now)
        case "schedule_session":
            case.check_schedule_session(request, now)
            if not request.short_notice_agreed and today > planned(SESSION_NOTICE, now, start=request.at).due:
                raise RuleViolation("less than 5 working days' notice")  # the workflow's check, with the calendar
            case.schedule_session(request, now)
            case.set_deadline(planned(SESSION, now, start=request.at))
        case "record_outcome":
            case.check_record_outcome(request, now)
            held = case.session.at  # the workflow counts from the session, not the recording
            dues = [planned(action_deadline(n), now, due=action.due, start=held).due for n, action in enumerate(request.actions, 1)]
            case.record_outcome(request, dues, planned(CERTIFICATE, now, start=held), now)
            if not case.is_closed:
                for n, due in enumerate(dues, 1):
                    case.set_deadline(planned(action_deadline(n), now, due=due))
        case "withdraw":
            case.check_withdraw(request)
            case.withdraw(request, planned(CERTIFICATE, now) if case.owes_certificate_on_withdrawal() else None, now)
        case "extend_deadline":
            case.check_extend_deadline(request, today)
            raise AssertionError("an extension the model refuses was accepted")
        case "record_appeal_status" | "add_note" | "assign_mediator" | "complete_action":
            getattr(case, f"check_{step.action}")(request)
            getattr(case, step.action)(request, now)


def assert_matches(view: CaseView, model: ReferenceMediation) -> None:
    assert view.stage is model.stage
    assert view.outcome == model.outcome
    assert (view.mediator is not None) == model.mediator
    assert (view.session.number if view.session else 0) == model.sessions
    assert (view.session.at if view.session else None) == model.session_at
    assert {action.number: action.done for action in view.actions} == model.actions
    assert (view.certificate.issued_on, view.certificate.reason) == model.certificate if view.certificate else model.certificate is None
    owed = {deadline.name for deadline in view.deadlines if deadline.state is DeadlineState.open}
    assert (CERTIFICATE in owed) == (model.owed is not None), "a certificate is owed exactly when the design says"
    assert view.appeal_deadline == model.appeal_deadline
    assert view.appeal_status == model.appeal_status
    assert len(view.timeline) >= model.timeline  # at least one entry per accepted action


class MediationRules(RuleBasedStateMachine):
    model: ReferenceMediation
    case: Mediation

    @initialize(
        weeks_ago=st.sampled_from([0, 3, 8, 10]),  # 10 weeks: past the reg 33 window, allowed with a warning
        issues=st.sampled_from(ISSUE_SETS), school_only=st.booleans(), commissioner=st.booleans(),
    )
    def open(self, weeks_ago: int, issues: list[MediationIssue], school_only: bool, commissioner: bool) -> None:
        decided = london_date(START) - timedelta(weeks=weeks_ago)
        overrides = dict(mediation_issues=issues, school_only=school_only)
        if not commissioner:
            overrides["health_commissioners"] = []
        self.case = open_on_the_rules(decided, START, **overrides)
        parties = WITH_HEALTH if commissioner else LA_PARTIES
        self.model = ReferenceMediation(now=START, parties=parties, decision_date=decided, school_only=school_only)
        self.model.timeline = len(self.case.timeline)  # the opening's entries: the product's own account

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        step = data.draw(STEPS_FROM[self.model.stage], label="step")
        now = self.model.now
        before = self.case.model_dump()
        if step.action.startswith("wait"):
            self.model.apply(step)
            return
        refusal: RuleViolation | None = None
        try:
            check_and_apply(self.case, step, now)
        except RuleViolation as refused:
            refusal = refused
            assert str(refusal) and "Traceback" not in str(refusal)
        accepted = refusal is None
        expected = self.model.apply(step)
        assert accepted == expected, f"at {now}, {step}: the case {'accepted' if accepted else f'refused it ({refusal})'}, the model did not"
        if not accepted:
            assert self.case.model_dump() == before, f"{step} was refused but changed the case"
        else:
            self.model.timeline = max(self.model.timeline, len(before["timeline"]) + 1)

    @invariant()
    def agrees_with_the_model(self) -> None:
        if hasattr(self, "case"):
            assert_matches(self.case.view(), self.model)


@pytest.mark.timeout(1800)  # 5,000 sequences with --heavy
def test_random_staff_actions_on_the_mediation_rules_match_the_model(request: pytest.FixtureRequest) -> None:
    run_sequences(MediationRules, request.config, steps=40)


@pytest.mark.parametrize(("decided", "certified", "school_only", "due"), [
    (date(2026, 10, 5), None, False, date(2026, 12, 7)),  # 5 Dec is a Saturday: Monday (r.12(2))
    (date(2026, 10, 5), date(2026, 11, 30), False, date(2027, 1, 4)),  # 30 Dec: after 1 Jan, a Friday holiday (r.12(3)(a))
    (date(2026, 10, 5), date(2026, 11, 30), True, date(2026, 12, 7)),  # school_only: no certificate part
    (date(2026, 12, 31), None, False, date(2027, 3, 1)),  # 28 Feb 2027 is a Sunday
    (date(2027, 6, 15), None, False, date(2027, 9, 1)),  # 15 Aug: first working day after 31 Aug
])
def test_the_models_appeal_deadline_matches_hand_worked_dates(decided: date, certified: date | None, school_only: bool, due: date) -> None:
    model = ReferenceMediation(now=START, decision_date=decided, school_only=school_only)
    model.certificate = None if certified is None else (certified, CertificateReason.no_mediation)
    assert model.reckon_appeal() == due


# --- Two disagreements the model found, fixed in the product: each with the reading ----------------


def mediation_chosen(now: datetime, told_days: int | None = None) -> Mediation:
    """A case on a decision of 2 November 2026 where the family has chosen mediation."""
    case = open_on_the_rules(date(2026, 11, 2), now, health_commissioners=[])
    check_and_apply(case, StaffStep(action="record_choice", days=told_days), now)
    return case


def test_five_working_days_notice_before_a_weekend_session_is_enough() -> None:
    """The family must be told at least 5 working days before the mediation (Code ch. 11, DOMAIN):
    Monday 7 December is 5 working days before Sunday 13 December, as the workflow's own calendar check
    (`session_notice`) says. Found by the model: the validator counted weekdays after today up to the
    session day (4 here), so it asked one more working day for a weekend session than for a Monday."""
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday
    case = mediation_chosen(now)
    check_and_apply(case, StaffStep(action="assign_mediator"), now)
    check_and_apply(case, StaffStep(action="schedule_session", hours=24 * 6), now)  # Sunday 13 Dec
    assert case.stage is CaseStage.session_scheduled


def test_cannot_arrange_dated_before_the_family_chose_mediation_is_refused() -> None:
    """The certificate is due 3 working days after the LA informs the adviser that it cannot arrange
    mediation (DESIGN 8): it cannot have done so before it was told the family wants mediation, let
    alone before the decision. Found by the model: the date was checked against today only, and a
    certificate deadline already missed was planned."""
    case = mediation_chosen(START, told_days=-2)  # the LA told on 28 Nov
    with pytest.raises(RuleViolation):
        check_and_apply(case, StaffStep(action="report_cannot_arrange", days=-40), START)  # 21 Oct


# --- End to end, on the dev server ----------------------------------------------------------------

ACTIONS = ["record_choice", "record_choice", "issue_certificate", "report_cannot_arrange", "assign_mediator",
           "assign_mediator", "schedule_session", "schedule_session", "withdraw", "extend_deadline", "add_note",
           "record_appeal_status"]


def random_step(rng: random.Random) -> StaffStep:
    """A step from the same vocabulary as `steps()`, without waits (the server's clock is real), and
    sessions a week or more ahead (never held here) or within the hour (short notice)."""
    return StaffStep(
        action=rng.choice(ACTIONS), party=rng.choice([*WITH_HEALTH, UNKNOWN_PARTY]), flag=rng.random() < 0.75,
        hours=rng.choice([1, 24 * 9, 24 * 400]), short_notice=rng.random() < 0.5, days=rng.choice([None, 0, -1, 1]),
        deadline=rng.choice(["appeal", "no_such_deadline"]), status=rng.choice(list(AppealStatus)),
    )


async def test_random_staff_actions_through_the_mediation_workflow_match_the_model(
    request: pytest.FixtureRequest, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with seeded_runs(request.config, dev_server.client, tmp_path) as (settings_, runs):
        for seed, rng in enumerate(runs):
            decided = london_date(datetime.now(UTC)) - timedelta(weeks=3)
            opened = open_mediation(decided, school_only=rng.random() < 0.3)
            handle = await dev_server.client.start_workflow(
                MediationCase.run, opened, id=f"MD-2026-M{uuid.uuid4().hex[:5].upper()}", task_queue=settings_.task_queue
            )
            view = await opened_view(handle)
            model = ReferenceMediation(
                now=datetime.now(UTC), parties=WITH_HEALTH, decision_date=decided, school_only=opened.school_only
            )
            model.timeline = len(view.timeline)
            for _ in range(14):
                step = random_step(rng)
                model.now = datetime.now(UTC)
                before = len(view.timeline)
                view, accepted = await send_step(handle, step, model, seed)
                if accepted:
                    model.timeline = max(model.timeline, before + 1)
                assert_matches(view, model)
