"""Model-based tests of DESIGN sections 8 and 11 (statutory mediation, duties): random sequences of
staff actions, invalid ones included, against the reference model in tests/mediation_model.py, as
tests/test_case_model.py does for section 3. Every accepted action must leave the case as the model
says; every refused one must change nothing and say why in words.

- On the rules, through the workflow's own code (`MediationCase`'s update validators and handlers,
  its alarms and its delivery reports) with only the I/O seams replaced (tests/mediation_harness.py):
  hypothesis stateful testing, 200 sequences in `make test`, 5,000 with `pytest --heavy`; each case
  opens on a start around weekends and bank holidays, a decision date, issues, commissioners,
  `school_only` and the party drawn at random.
- The 5-working-day notice of a session, at 4, 5 and 6 working days, across weekends and bank holidays.
- The certificate after a "no", after a session and after a withdrawal, issued before and after the
  appeal status is recorded, and every duty still owed after each event that ends the process.
- End to end, through the workflow's updates on the dev server: seeded sequences, 4 in `make test`,
  40 with `--heavy`.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from temporalio.testing import WorkflowEnvironment

from activities.deadlines import DeadlineActivities
from domain.deadlines import DeadlinePolicy
from domain.models import (
    Applicant,
    ApplicantRole,
    AppealStatus,
    CaseOutcome,
    CaseStage,
    CaseView,
    CertificateIssuer,
    CertificateReason,
    Contact,
    DeadlineState,
    DeliveryStatus,
    LocalAuthority,
    MediationIssue,
    OrderKind,
    SessionResult,
)
from tests.case_model import UNKNOWN_PARTY, seeded_runs, send_step
from tests.conftest import opened_view
from tests.heavy import run_sequences
from tests.journeys import open_mediation
from tests.mediation_harness import MediationHarness, Refused, WorkflowFinished
from tests.mediation_model import (
    LA_PARTIES,
    WITH_HEALTH,
    MediationStep,
    ReferenceMediation,
    expiry,
    in_england,
    notice_given,
    session_day_with_notice,
    working_days_later,
)
from workflows.mediation import MediationCase
from workflows.metrics import MESSAGES_FAILED, MESSAGES_SENT

REFERENCE = "MD-2026-MODEL1"
PLANNING = DeadlineActivities(DeadlinePolicy())  # what the worker registers for planning
# Where a case starts: a Monday; before Christmas and New Year 2026-27; the week before Easter 2027
# (Good Friday 26 March, Easter Monday 29 March); and late at night in summer, when the date in
# England is a day ahead of UTC's, before the Spring bank holiday (31 May 2027).
STARTS = [
    datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 12, 18, 15, 0, tzinfo=UTC),
    datetime(2026, 12, 23, 10, 0, tzinfo=UTC), datetime(2027, 3, 19, 9, 0, tzinfo=UTC),
    datetime(2027, 3, 24, 16, 0, tzinfo=UTC), datetime(2027, 5, 28, 23, 30, tzinfo=UTC),
]
ANY_PARTY = st.sampled_from([*WITH_HEALTH, "org-3", UNKNOWN_PARTY])
GIVEN_DAY = st.sampled_from([None, 0, -1, -40, 1])  # a date staff give: default, today, past, before the decision, future
# Around the 5 working days' notice by the hour (an hour, a day, 5 to 8 days ahead) and over a year;
# the boundary itself is drawn in working days (`notice`).
SESSION_HOURS = [-2, 1, 30, 24 * 5, 24 * 6, 24 * 7, 24 * 8, 24 * 400]
ISSUE_SETS = [[MediationIssue.education], [MediationIssue.health], [MediationIssue.education, MediationIssue.health],
              [MediationIssue.social_care]]
CHOICE_ISSUES = st.sampled_from([None, None, *(tuple(issues) for issues in ISSUE_SETS)])
TERMS = st.sampled_from([None, "written", *(kind.value for kind in OrderKind)])
ISSUERS = st.sampled_from([None, CertificateIssuer.mediation_adviser, CertificateIssuer.mediator])
DEADLINES = st.sampled_from(["appeal", "no_such_deadline", "certificate", "health_notice", "mediation_arrangement", "action-1"])


def choice(
    flag: st.SearchStrategy[bool], provision: st.SearchStrategy[bool] | None = None, given_day: st.SearchStrategy[int | None] = GIVEN_DAY,
) -> st.SearchStrategy[MediationStep]:
    """The family's choice. Without `provision`, the provision sought is given exactly when the law
    asks for it (a yes with health among the issues stated), so that the case moves on."""
    def build(mediate: bool, issues, given: bool | None, days, adviser_days) -> MediationStep:
        needed = mediate and MediationIssue.health in (issues or ())
        return MediationStep(
            action="record_choice", flag=mediate, issues=issues, provision=needed if given is None else given,
            days=days, adviser_days=adviser_days,
        )
    return st.builds(
        build, flag, st.sampled_from([tuple(issues) for issues in ISSUE_SETS]) if provision is None else CHOICE_ISSUES,
        st.none() if provision is None else provision, given_day, given_day,
    )


def schedule(hours: list[int]) -> st.SearchStrategy[MediationStep]:
    return st.one_of(
        st.builds(MediationStep, action=st.just("schedule_session"), hours=st.sampled_from(hours), short_notice=st.booleans()),
        st.builds(
            MediationStep, action=st.just("schedule_session"), notice=st.sampled_from([4, 5, 6]), latest=st.booleans(),
            short_notice=st.booleans(),
        ),
    )


def outcome(owners: st.SearchStrategy[str], past_due: st.SearchStrategy[bool]) -> st.SearchStrategy[MediationStep]:
    return st.builds(
        MediationStep, action=st.just("record_outcome"), result=st.sampled_from(list(SessionResult)),
        owners=st.lists(owners, max_size=3).map(tuple), past_due=past_due, terms=st.lists(TERMS, max_size=3).map(tuple),
        child_views=st.sampled_from([None, True, False]),
    )


def steps() -> st.SearchStrategy[MediationStep]:
    """Every staff action of a mediation case, sometimes valid and sometimes not, and time passing."""
    return st.one_of(
        choice(st.booleans(), provision=st.booleans()),
        st.builds(MediationStep, action=st.just("issue_certificate"), days=GIVEN_DAY, issuer=ISSUERS),
        # Dated before the LA was told: a known gap, tested on its own (below).
        st.builds(MediationStep, action=st.just("report_cannot_arrange"), days=st.sampled_from([None, 0, 1])),
        st.builds(MediationStep, action=st.just("assign_mediator"), flag=st.booleans()),
        schedule(SESSION_HOURS),
        outcome(ANY_PARTY, st.booleans()),
        st.builds(MediationStep, action=st.just("complete_action"), number=st.integers(0, 4)),
        st.builds(MediationStep, action=st.just("withdraw"), party=ANY_PARTY),
        st.builds(MediationStep, action=st.just("extend_deadline"), deadline=DEADLINES),
        st.builds(MediationStep, action=st.just("add_note")),
        st.builds(MediationStep, action=st.just("record_appeal_status"), status=st.sampled_from(list(AppealStatus))),
        st.builds(MediationStep, action=st.just("wait"), hours=st.sampled_from([1, 2, 48, 24 * 8])),
        st.builds(MediationStep, action=st.just("wait_for_session")),
    )


def next_steps(stage: CaseStage) -> st.SearchStrategy[MediationStep]:
    """Steps that move a case on from `stage` (still sometimes refused), so that most steps
    push towards a session, an outcome and the certificate rather than wander (two steps in three)."""
    certificate = st.builds(MediationStep, action=st.just("issue_certificate"), issuer=ISSUERS, days=st.sampled_from([None, None, 0, -1]))
    onward = {
        CaseStage.advice: st.one_of(
            *[choice(st.sampled_from([True, True, True, False]), given_day=st.sampled_from([None, None, 0, -1]))] * 3,
            st.builds(MediationStep, action=st.just("withdraw")),
        ),
        CaseStage.arranging_session: st.one_of(
            st.builds(MediationStep, action=st.just("assign_mediator")), schedule(SESSION_HOURS[2:-1]), schedule(SESSION_HOURS[3:-1]),
        ),
        CaseStage.session_scheduled: st.one_of(
            st.builds(MediationStep, action=st.just("wait_for_session")), outcome(st.sampled_from(LA_PARTIES), st.just(False)),
        ),
        CaseStage.monitoring_agreement: st.one_of(
            st.builds(MediationStep, action=st.just("complete_action"), number=st.integers(1, 2)), certificate,
        ),
        CaseStage.certificate_due: st.one_of(
            certificate, st.builds(MediationStep, action=st.just("record_appeal_status"), status=st.sampled_from(list(AppealStatus))),
        ),
        CaseStage.closed: st.builds(MediationStep, action=st.sampled_from(["issue_certificate", "record_appeal_status"])),
    }
    return onward.get(stage, st.nothing())


STEPS_FROM = {stage: st.one_of(next_steps(stage), next_steps(stage), steps()) for stage in CaseStage}  # built once


# --- Comparing the case with the model -----------------------------------------------------------------

def assert_matches(view: CaseView, model: ReferenceMediation, owed: set[str] | None = None) -> None:
    """The case as the model says. `owed`: the duties the product holds owed (from the case file;
    the view shows a missed one's state, not whether it is still chased)."""
    assert view.stage is model.stage
    assert view.outcome == model.outcome
    assert (view.mediator is not None) == model.mediator
    assert (view.session.number if view.session else 0) == model.sessions
    assert (view.session.at if view.session else None) == model.session_at
    assert {action.number: action.done for action in view.actions} == model.actions
    first = (view.certificate.issued_on, view.certificate.reason, view.certificate.issued_by) if view.certificate else None
    assert first == model.certificate
    assert view.appeal_deadline == model.appeal_deadline
    assert view.appeal_status == model.appeal_status
    assert sum("later certificate" in warning for warning in view.warnings) == model.later_certificate_warnings
    assert len(view.timeline) >= model.timeline  # at least one entry per accepted action

    duties = {deadline.name: deadline for deadline in view.deadlines if deadline.name != "appeal"}
    assert set(duties) == set(model.duties), "every duty the law starts, and no other"
    for name, expected in model.duties.items():
        shown = duties[name]
        assert (shown.due, shown.owed_by) == (expected.due, expected.owed_by), name
        if owed is not None:
            assert (name in owed) == expected.owed, f"{name} owed: the model says {expected.owed}"
        if expected.owed:
            assert shown.settled_by is None, name
            assert shown.state.value == expected.state, name
            continue
        settled_by = view.timeline[shown.settled_by - 1].event if shown.settled_by else None
        assert settled_by == expected.settled_by, f"{name} settled by {settled_by}, the model says {expected.settled_by}"
        assert (shown.state.value, shown.settled_on) == (expected.state, expected.settled_on), name

    # DESIGN 11: never closed while a duty but the family's own appeal clock is owed, and the next
    # deadline is the earliest duty owed, whatever the stage.
    if view.stage is CaseStage.closed:
        assert not model.owed()
    assert (view.next_deadline.due if view.next_deadline else None) == model.next_due()


def assert_published(harness: MediationHarness, model: ReferenceMediation) -> None:
    """What operators filter on (DESIGN 4, 11): the stage, and the next duty owed whatever the stage."""
    attributes = harness.workflow.search_attributes
    assert attributes["CaseStage"] == model.stage.value
    next_due = model.next_due()
    assert attributes["NextDeadline"] == (expiry(next_due) if next_due else None)


def owed_in(harness: MediationHarness) -> set[str]:
    return {deadline.name for deadline in harness.workflow.case.deadlines if deadline.owed and deadline.name != "appeal"}


def notices_since(harness: MediationHarness, sent_before: int) -> list[tuple[str, tuple[str, ...]]]:
    """The law's own notices among the messages just sent, grouped by event, as the model lists them."""
    grouped: dict[str, list[str]] = {}
    for notice in harness.workflow.sent[sent_before:]:
        if notice.template.value in ("health_notice", "later_certificate", "agreement_notice"):
            grouped.setdefault(notice.template.value, []).append(notice.recipient.id)
    return [(template, tuple(recipients)) for template, recipients in grouped.items()]


def opening(decided: date, issues: list[MediationIssue], school_only: bool, commissioners: int, parent: bool):
    bodies = [
        LocalAuthority(name=name, contact=Contact(email=f"chc{number}@icb.example.nhs.uk"))
        for number, name in enumerate(["South Yorkshire ICB", "NHS England (specialised)"][:commissioners], start=1)
    ]
    overrides = dict(mediation_issues=issues, school_only=school_only, health_commissioners=bodies)
    if not parent:
        overrides["applicant"] = Applicant(
            role=ApplicantRole.young_person, name="Sam Young", contact=Contact(email="sam.young@example.org"),
        )
    return open_mediation(decided, **overrides)


class MediationRules(RuleBasedStateMachine):
    model: ReferenceMediation
    harness: MediationHarness

    @initialize(
        start=st.sampled_from(STARTS),
        weeks_ago=st.sampled_from([0, 3, 8, 10]),  # 10 weeks: past the reg 33 window, allowed with a warning
        issues=st.sampled_from(ISSUE_SETS), school_only=st.booleans(), commissioners=st.sampled_from([0, 1, 1, 2]),
        parent=st.sampled_from([True, True, False]), unreachable_body=st.sampled_from([False, False, False, True]),
    )
    def open(
        self, start: datetime, weeks_ago: int, issues: list[MediationIssue], school_only: bool, commissioners: int,
        parent: bool, unreachable_body: bool,
    ) -> None:
        decided = in_england(start) - timedelta(weeks=weeks_ago)
        self.harness = MediationHarness(now=start, planning=PLANNING)
        self.harness.open(REFERENCE, opening(decided, issues, school_only, commissioners, parent))
        self.model = ReferenceMediation(
            now=start, decision_date=decided, school_only=school_only, opening_issues=tuple(issues),
            commissioners=commissioners, parent=parent,
        )
        if unreachable_body and commissioners:  # the last commissioning body's address is rejected
            self.model.unreachable = {self.model.parties[-1]}
            self.harness.workflow.fail_for = set(self.model.unreachable)
        self.model.timeline = len(self.harness.query().timeline)  # the opening's entries: the product's own account
        assert [party.id for party in self.harness.query().parties] == list(self.model.parties)

    def teardown(self) -> None:
        if hasattr(self, "harness"):
            self.harness.close()

    @precondition(lambda self: not self.model.finished)  # the workflow has completed: nothing more to try
    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        step = data.draw(STEPS_FROM[self.model.stage], label="step")
        if step.action.startswith("wait"):
            self.model.apply(step)
            self.harness.wait_until(self.model.now)
            return
        now, case, sent_before = self.model.now, self.harness.workflow.case, len(self.harness.workflow.sent)
        before = case.model_dump()
        refusal: Exception | None = None
        try:
            self.harness.update(step.action, step.request(now))
        except Refused as refused:
            refusal = refused
            assert str(refusal) and "Traceback" not in str(refusal)
        except WorkflowFinished as finished:
            refusal = finished
        accepted = refusal is None
        expected = self.model.apply(step)
        assert accepted == expected, f"at {now}, {step}: the case {'accepted' if accepted else f'refused it ({refusal!r})'}, the model did not"
        if not accepted:
            assert case.model_dump() == before, f"{step} was refused but changed the case"
            return
        self.model.timeline = max(self.model.timeline, len(before["timeline"]) + 1)
        assert notices_since(self.harness, sent_before) == self.model.notices, step
        for notice in self.harness.workflow.sent[sent_before:]:
            if notice.template.value == "health_notice":  # reg 32(e): the issues and the provision sought
                assert notice.facts.mediation_issues == [issue.value for issue in self.model.issues]
                assert notice.facts.health_provision_sought

    @precondition(lambda self: self.model.finished)
    @rule(step=steps().filter(lambda step: not step.action.startswith("wait")))
    def finished_workflow_knows_nothing(self, step: MediationStep) -> None:
        """The server no longer has the workflow: every update is "not found"."""
        with pytest.raises(WorkflowFinished):
            self.harness.update(step.action, step.request(self.model.now))

    @invariant()
    def agrees_with_the_model(self) -> None:
        if hasattr(self, "harness"):
            assert self.harness.now == self.model.now
            assert_matches(self.harness.query(), self.model, owed_in(self.harness))
            assert_published(self.harness, self.model)
            assert self.harness.finished == self.model.finished
            # Every message the delivery activity was given is counted once for operators, sent or failed.
            meter, sent = self.harness.meter, self.harness.workflow.sent
            assert meter.total(MESSAGES_SENT) + meter.total(MESSAGES_FAILED) == len(sent)


@pytest.mark.timeout(1800)  # 5,000 sequences with --heavy
def test_random_staff_actions_on_the_mediation_workflow_code_match_the_model(request: pytest.FixtureRequest) -> None:
    run_sequences(MediationRules, request.config, steps=40)


@pytest.mark.parametrize(("decided", "certified", "school_only", "due"), [
    (date(2026, 10, 5), None, False, date(2026, 12, 7)),  # 5 Dec is a Saturday: Monday (r.12(2))
    (date(2026, 10, 5), date(2026, 11, 30), False, date(2027, 1, 4)),  # 30 Dec: after 1 Jan, a Friday holiday (r.12(3)(a))
    (date(2026, 10, 5), date(2026, 11, 30), True, date(2026, 12, 7)),  # school_only: no certificate part
    (date(2026, 12, 31), None, False, date(2027, 3, 1)),  # 28 Feb 2027 is a Sunday
    (date(2027, 6, 15), None, False, date(2027, 9, 1)),  # 15 Aug: first working day after 31 Aug
])
def test_the_models_appeal_deadline_matches_hand_worked_dates(decided: date, certified: date | None, school_only: bool, due: date) -> None:
    model = ReferenceMediation(now=STARTS[0], decision_date=decided, school_only=school_only)
    if certified is not None:
        model.certificates = [(certified, CertificateReason.no_mediation, CertificateIssuer.mediation_adviser)]
    assert model.reckon_appeal() == due


# --- The 5 working days' notice of a session, at its boundary ------------------------------------------

# The model's own count against dates worked by hand: weekends, Christmas and Boxing Day (observed on
# Monday 28 December 2026), New Year's Day 2027 (a Friday), Good Friday and Easter Monday 2027, and the
# Spring bank holiday (31 May 2027) seen from a Saturday that UTC still calls Friday.
HAND_WORKED_SESSION_DAYS = [
    # today, notice, first day giving it, last day giving it
    (date(2026, 12, 18), 4, date(2026, 12, 24), date(2026, 12, 24)),
    (date(2026, 12, 18), 5, date(2026, 12, 25), date(2026, 12, 29)),
    (date(2026, 12, 18), 6, date(2026, 12, 30), date(2026, 12, 30)),
    (date(2026, 12, 23), 4, date(2026, 12, 31), date(2026, 12, 31)),
    (date(2026, 12, 23), 5, date(2027, 1, 1), date(2027, 1, 4)),
    (date(2026, 12, 23), 6, date(2027, 1, 5), date(2027, 1, 5)),
    (date(2027, 3, 20), 4, date(2027, 3, 26), date(2027, 3, 30)),
    (date(2027, 3, 20), 5, date(2027, 3, 31), date(2027, 3, 31)),
    (date(2027, 3, 24), 4, date(2027, 4, 1), date(2027, 4, 1)),
    (date(2027, 3, 24), 5, date(2027, 4, 2), date(2027, 4, 2)),
    (date(2027, 3, 24), 6, date(2027, 4, 3), date(2027, 4, 5)),
    (date(2027, 5, 29), 4, date(2027, 6, 5), date(2027, 6, 7)),
    (date(2027, 5, 29), 5, date(2027, 6, 8), date(2027, 6, 8)),
]


@pytest.mark.parametrize(("today", "notice", "first", "last"), HAND_WORKED_SESSION_DAYS)
def test_the_models_working_day_count_matches_hand_worked_dates(today: date, notice: int, first: date, last: date) -> None:
    assert session_day_with_notice(today, notice, latest=False) == first
    assert session_day_with_notice(today, notice, latest=True) == last
    assert notice_given(today, first) == notice_given(today, last) == notice
    assert notice_given(today, first - timedelta(days=1)) == notice - 1
    assert notice_given(today, last + timedelta(days=1)) == notice + 1


BOUNDARY_NOWS = [
    datetime(2026, 12, 18, 15, 0, tzinfo=UTC), datetime(2026, 12, 23, 10, 0, tzinfo=UTC),
    datetime(2026, 12, 24, 16, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC),
    datetime(2027, 3, 20, 11, 0, tzinfo=UTC), datetime(2027, 3, 24, 16, 0, tzinfo=UTC),
    datetime(2027, 3, 25, 9, 0, tzinfo=UTC), datetime(2027, 5, 28, 23, 30, tzinfo=UTC),
]


def chosen_with_mediator(now: datetime, **overrides) -> MediationHarness:
    """A case on a decision three weeks back where the family chose mediation today and a mediator is assigned."""
    harness = MediationHarness(now=now, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(in_england(now) - timedelta(weeks=3), health_commissioners=[], **overrides))
    harness.update("record_choice", MediationStep(action="record_choice", issues=(MediationIssue.education,)).request(now))
    harness.update("assign_mediator", MediationStep(action="assign_mediator").request(now))
    return harness


@pytest.mark.parametrize("now", BOUNDARY_NOWS, ids=lambda now: f"{in_england(now):%a-%Y-%m-%d}")
@pytest.mark.parametrize("notice", [4, 5, 6])
@pytest.mark.parametrize("latest", [False, True], ids=["first-day", "last-day"])
@pytest.mark.parametrize("short_notice", [False, True], ids=["", "short-notice-agreed"])
def test_a_session_needs_five_working_days_notice_unless_the_family_agreed(
    now: datetime, notice: int, latest: bool, short_notice: bool
) -> None:
    """Code ch.11: notice of the date and place at least 5 working days before, unless the family
    consents to less. The session is booked for the first or last day giving exactly 4, 5 or 6
    working days' notice by the model's own count, over weekends and bank holidays."""
    harness = chosen_with_mediator(now)
    try:
        step = MediationStep(action="schedule_session", notice=notice, latest=latest, short_notice=short_notice)
        request = step.request(now)
        assert notice_given(in_england(now), in_england(request.at)) == notice
        before = harness.workflow.case.model_dump()
        try:
            harness.update("schedule_session", request)
            accepted = True
        except Refused as refusal:
            accepted = False
            assert "5 working days" in str(refusal)
            assert harness.workflow.case.model_dump() == before
        assert accepted == (short_notice or notice >= 5), f"{notice} working days' notice, short notice agreed: {short_notice}"
        assert (harness.query().stage is CaseStage.session_scheduled) == accepted
    finally:
        harness.close()


# --- Every duty owed after each event that ends the process (DESIGN 11) ------------------------------

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
DECIDED = date(2026, 11, 2)


def assert_certificate_owed(harness: MediationHarness, by: str, stage: CaseStage = CaseStage.certificate_due) -> CaseView:
    """The certificate is owed, by whom the law says, and is what comes next: the case is not closed."""
    view = harness.query()
    assert view.stage is stage and view.stage is not CaseStage.closed
    assert "certificate" in owed_in(harness)
    certificate = next(deadline for deadline in view.deadlines if deadline.name == "certificate")
    assert certificate.owed_by == by and certificate.settled_by is None
    assert view.next_deadline is not None and view.next_deadline.name == "certificate"
    assert harness.workflow.search_attributes["NextDeadline"] == expiry(certificate.due)
    assert harness.workflow.search_attributes["CaseStage"] == stage.value
    assert not harness.finished
    return view


def said_no(adviser_told_on: date | None = None) -> MediationHarness:
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(DECIDED, health_commissioners=[]))
    days = None if adviser_told_on is None else (adviser_told_on - in_england(NOW)).days
    harness.update("record_choice", MediationStep(action="record_choice", flag=False, adviser_days=days).request(NOW))
    return harness


def after_a_session(result: SessionResult, owners: tuple[str, ...] = (), **opening) -> MediationHarness:
    """Mediation chosen on 30 November, a session on Tuesday 8 December, its outcome recorded that evening."""
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(DECIDED, **({"health_commissioners": []} | opening)))
    issues = tuple(opening.get("mediation_issues", [MediationIssue.education]))
    harness.update("record_choice", MediationStep(
        action="record_choice", issues=issues, provision=MediationIssue.health in issues,
    ).request(NOW))
    harness.update("assign_mediator", MediationStep(action="assign_mediator").request(NOW))
    harness.update("schedule_session", MediationStep(action="schedule_session", hours=8 * 24 + 1).request(NOW))
    harness.wait_until(datetime(2026, 12, 8, 18, 0, tzinfo=UTC))
    harness.update("record_outcome", MediationStep(action="record_outcome", result=result, owners=owners).request(harness.now))
    return harness


def certificate(harness: MediationHarness, by: CertificateIssuer | None = None, on: int | None = None) -> None:
    harness.update("issue_certificate", MediationStep(action="issue_certificate", issuer=by, days=on).request(harness.now))


def appeal_status(harness: MediationHarness, status: AppealStatus = AppealStatus.lodged) -> None:
    harness.update("record_appeal_status", MediationStep(action="record_appeal_status", status=status).request(harness.now))


def test_after_a_no_the_certificate_counts_from_the_day_the_family_told_the_adviser_and_holds_the_case_open() -> None:
    """Reg 34: 3 working days from the day the family told the adviser (Thursday 26 November: due
    Tuesday 1 December), not from the day staff recorded it. Missed, it is still owed and overdue."""
    harness = said_no(adviser_told_on=date(2026, 11, 26))
    try:
        view = assert_certificate_owed(harness, by="mediation_adviser")
        assert view.next_deadline.due == date(2026, 12, 1) == working_days_later(date(2026, 11, 26), 3)
        harness.wait_until(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
        view = assert_certificate_owed(harness, by="mediation_adviser")
        assert view.next_deadline.state is DeadlineState.missed  # `list --overdue` finds it
        assert harness.workflow.search_attributes["NextDeadline"] < harness.now
    finally:
        harness.close()


@pytest.mark.parametrize("appeal_first", [True, False], ids=["appeal-status-then-certificate", "certificate-then-appeal-status"])
def test_a_certificate_after_a_no_is_issued_whichever_is_recorded_first(appeal_first: bool) -> None:
    """A workflow that finished on the appeal status would answer "update not found" to the
    certificate: the certificate owed keeps the case, and so the workflow, alive."""
    harness = said_no()
    try:
        assert_certificate_owed(harness, by="mediation_adviser")
        decision_only = harness.query().appeal_deadline
        if appeal_first:
            appeal_status(harness)
            assert_certificate_owed(harness, by="mediation_adviser")
            certificate(harness)
            assert harness.query().appeal_deadline == decision_only  # the family's appeal is already lodged
            assert harness.finished  # closed, no clock left
        else:
            certificate(harness)
            assert harness.query().appeal_deadline == date(2027, 1, 4)  # 30 Dec + r.12(3)(a)
            assert not harness.finished  # the appeal clock runs on
            appeal_status(harness)
            assert harness.finished
        view = harness.query()
        assert (view.stage, view.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
        assert view.next_deadline is None and not owed_in(harness)
        with pytest.raises(WorkflowFinished):
            harness.update("add_note", MediationStep(action="add_note").request(harness.now))
    finally:
        harness.close()


@pytest.mark.parametrize("appeal_first", [True, False], ids=["appeal-status-then-certificate", "certificate-then-appeal-status"])
def test_a_certificate_after_a_session_without_agreement_is_issued_whichever_is_recorded_first(appeal_first: bool) -> None:
    """After mediation the mediator's certificate is owed (CFA s.55(5)) whatever the result: the
    case waits in `certificate_due` with its outcome recorded, and the session held met the
    arrangement duty on its own day."""
    harness = after_a_session(SessionResult.no_agreement)
    try:
        view = assert_certificate_owed(harness, by="mediator")
        assert view.outcome is CaseOutcome.no_agreement
        assert view.next_deadline.due == date(2026, 12, 11)  # 3 working days after Tuesday 8 December
        arrangement = next(deadline for deadline in view.deadlines if deadline.name == "mediation_arrangement")
        assert (arrangement.state, arrangement.settled_on) == (DeadlineState.met, date(2026, 12, 8))
        assert view.timeline[arrangement.settled_by - 1].event == "outcome_recorded"
        before = harness.workflow.case.model_dump()
        with pytest.raises(Refused, match="mediator"):
            certificate(harness, by=CertificateIssuer.mediation_adviser)
        assert harness.workflow.case.model_dump() == before
        if appeal_first:
            appeal_status(harness, AppealStatus.not_appealing)
            assert_certificate_owed(harness, by="mediator")
            certificate(harness, by=CertificateIssuer.mediator)
            assert harness.finished
        else:
            certificate(harness)
            assert not harness.finished
            appeal_status(harness, AppealStatus.not_appealing)
            assert harness.finished
        view = harness.query()
        assert (view.stage, view.outcome) == (CaseStage.closed, CaseOutcome.no_agreement)
        assert view.certificate.issued_by is CertificateIssuer.mediator
        assert view.next_deadline is None and not owed_in(harness)
    finally:
        harness.close()


def test_a_withdrawal_at_advice_owes_a_certificate() -> None:
    """Reg 34 ("does not wish to or fails to pursue mediation"): a certificate within 3 working days,
    issued by the adviser; the outcome is recorded, the case is not closed until it is issued."""
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(DECIDED))
    try:
        harness.update("withdraw", MediationStep(action="withdraw").request(NOW))
        view = assert_certificate_owed(harness, by="mediation_adviser")
        assert view.outcome is CaseOutcome.withdrawn
        appeal_status(harness)
        assert_certificate_owed(harness, by="mediation_adviser")
        certificate(harness)
        assert (harness.query().stage, harness.finished) == (CaseStage.closed, True)
    finally:
        harness.close()


def test_agreed_actions_and_the_certificate_run_side_by_side() -> None:
    """With actions open the case follows them up while the mediator's certificate is owed; when the
    last action is done before the certificate, the case waits for it in `certificate_due`."""
    harness = after_a_session(SessionResult.full_agreement, owners=("org-1",))
    try:
        view = assert_certificate_owed(harness, by="mediator", stage=CaseStage.monitoring_agreement)
        assert owed_in(harness) == {"certificate", "action-1"}
        assert view.actions[0].due == date(2026, 12, 22)  # reg 42(3): 2 weeks from the session
        harness.update("complete_action", MediationStep(action="complete_action", number=1).request(harness.now))
        assert_certificate_owed(harness, by="mediator")
        assert harness.query().outcome is CaseOutcome.full_agreement
        certificate(harness)
        assert harness.query().stage is CaseStage.closed
    finally:
        harness.close()


def test_health_only_mediation_meets_the_health_notice_and_the_agreement_notice_by_their_sending() -> None:
    """Health-only: the commissioning body is org-1 and the LA no party. The health notice carries the
    issues and the provision sought and is met when sent to every commissioner; the LA is told of
    the agreement (reg 42(4)), which meets that duty; the certificate is still owed after both."""
    bodies = [LocalAuthority(name=f"ICB {n}", contact=Contact(email=f"icb{n}@icb.example.nhs.uk")) for n in (1, 2)]
    harness = after_a_session(SessionResult.full_agreement, mediation_issues=[MediationIssue.health], health_commissioners=bodies)
    try:
        view = harness.query()
        assert [(party.id, party.kind.value if party.kind else None) for party in view.parties] == [
            ("applicant", None), ("org-1", "health_commissioner"), ("org-2", "health_commissioner"),
        ]
        sent = {(notice.template.value, notice.recipient.id): notice for notice in harness.workflow.sent}
        for body in ("org-1", "org-2"):
            facts = sent[("health_notice", body)].facts
            assert facts.mediation_issues == ["health"] and facts.health_provision_sought
        assert ("agreement_notice", "local_authority") in sent
        settled = {deadline.name: view.timeline[deadline.settled_by - 1].event for deadline in view.deadlines if deadline.settled_by}
        assert settled["health_notice"] == "health_notice_sent"
        assert settled["agreement_notice"] == "agreement_notice_sent"
        assert_certificate_owed(harness, by="mediator")
        assert next(d for d in view.deadlines if d.name == "mediation_arrangement").owed_by == "health_commissioner"
    finally:
        harness.close()


def test_only_the_first_certificate_moves_the_appeal_deadline_and_a_later_one_tells_the_officer() -> None:
    """Cannot arrange (a certificate from the adviser, moving the deadline), then mediation after all
    (the mediator's certificate, owed again): the later one never moves the date."""
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(DECIDED, health_commissioners=[]))
    try:
        harness.update("record_choice", MediationStep(action="record_choice", issues=(MediationIssue.education,)).request(NOW))
        harness.update("report_cannot_arrange", MediationStep(action="report_cannot_arrange").request(NOW))
        certificate(harness)
        first = harness.query().appeal_deadline
        assert first == date(2027, 1, 4)  # 30 Dec 2026 (30 Nov + 1 month) moved past New Year (r.12(3)(a))
        harness.update("assign_mediator", MediationStep(action="assign_mediator").request(NOW))
        harness.update("schedule_session", MediationStep(action="schedule_session", hours=8 * 24 + 1).request(NOW))
        harness.wait_until(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
        harness.update("record_outcome", MediationStep(action="record_outcome", result=SessionResult.no_agreement).request(harness.now))
        assert_certificate_owed(harness, by="mediator")
        sent_before = len(harness.workflow.sent)
        certificate(harness)
        view = harness.query()
        assert view.appeal_deadline == first and view.certificate.reason is CertificateReason.not_arranged
        assert any("later certificate" in warning for warning in view.warnings)
        assert notices_since(harness, sent_before) == [("later_certificate", ("case_officer",))]
    finally:
        harness.close()


# --- Where the model and the product disagree: the law as the model reads it (for the lead) -----------


def test_a_certificate_issued_in_time_but_recorded_late_is_met_on_its_own_date() -> None:
    harness = said_no()  # due Thursday 3 December
    try:
        harness.wait_until(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # recorded the Monday after
        certificate(harness, on=-4)  # issued Thursday 3 December
        shown = next(deadline for deadline in harness.query().deadlines if deadline.name == "certificate")
        assert (shown.state, shown.settled_on) == (DeadlineState.met, date(2026, 12, 3))
    finally:
        harness.close()


def test_a_session_moved_after_the_thirty_days_does_not_meet_the_arrangement_duty_in_time() -> None:
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(DECIDED, health_commissioners=[]))
    try:
        harness.update("record_choice", MediationStep(action="record_choice", issues=(MediationIssue.education,)).request(NOW))
        harness.update("assign_mediator", MediationStep(action="assign_mediator").request(NOW))
        harness.update("schedule_session", MediationStep(action="schedule_session", hours=8 * 24).request(NOW))  # 8 Dec
        harness.wait_until(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))  # the 30 days ended on 30 December
        harness.update("schedule_session", MediationStep(action="schedule_session", hours=10 * 24).request(harness.now))
        arrangement = lambda: next(d for d in harness.query().deadlines if d.name == "mediation_arrangement")  # noqa: E731
        assert arrangement().state is DeadlineState.missed  # the session now booked is after its due date
        harness.wait_until(datetime(2027, 1, 13, 9, 0, tzinfo=UTC))
        harness.update("record_outcome", MediationStep(action="record_outcome", result=SessionResult.no_agreement).request(harness.now))
        assert (arrangement().state, arrangement().settled_on) == (DeadlineState.missed, date(2027, 1, 12))
    finally:
        harness.close()


def test_an_action_done_late_cannot_be_extended_back_into_a_duty_owed() -> None:
    harness = after_a_session(SessionResult.full_agreement, owners=("org-1", "org-1"))
    try:
        harness.wait_until(datetime(2026, 12, 24, 9, 0, tzinfo=UTC))  # both actions were due 22 December
        harness.update("complete_action", MediationStep(action="complete_action", number=1).request(harness.now))
        before = harness.workflow.case.model_dump()
        with pytest.raises(Refused):
            harness.update("extend_deadline", MediationStep(action="extend_deadline", deadline="action-1").request(harness.now))
        assert harness.workflow.case.model_dump() == before
    finally:
        harness.close()


# --- Two disagreements the model found earlier, fixed in the product: each with the reading ----------


def test_five_working_days_notice_before_a_weekend_session_is_enough() -> None:
    """The family must be told at least 5 working days before the mediation (Code ch. 11, DOMAIN):
    Monday 7 December is 5 working days before Sunday 13 December, as the workflow's own calendar check
    (`session_notice`) says. Found by the model: the validator counted weekdays after today up to the
    session day (4 here), so it asked one more working day for a weekend session than for a Monday."""
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday
    harness = chosen_with_mediator(now)
    try:
        harness.update("schedule_session", MediationStep(action="schedule_session", hours=24 * 6).request(now))  # Sunday 13 Dec
        assert harness.query().stage is CaseStage.session_scheduled
    finally:
        harness.close()


def test_cannot_arrange_dated_before_the_family_chose_mediation_is_refused() -> None:
    """The certificate is due 3 working days after the LA informs the adviser that it cannot arrange
    mediation (DESIGN 8): it cannot have done so before it was told the family wants mediation, let
    alone before the decision. Found by the model: the date was checked against today only, and a
    certificate deadline already missed was planned."""
    harness = MediationHarness(now=NOW, planning=PLANNING)
    harness.open(REFERENCE, open_mediation(date(2026, 11, 2), health_commissioners=[]))
    try:
        harness.update("record_choice", MediationStep(
            action="record_choice", days=-2, issues=(MediationIssue.education,),
        ).request(NOW))  # the LA told on 28 Nov
        before = harness.workflow.case.model_dump()
        with pytest.raises(Refused):
            harness.update("report_cannot_arrange", MediationStep(action="report_cannot_arrange", days=-40).request(NOW))  # 21 Oct
        assert harness.workflow.case.model_dump() == before
    finally:
        harness.close()


# --- End to end, on the dev server ----------------------------------------------------------------

ACTIONS = ["record_choice", "record_choice", "issue_certificate", "report_cannot_arrange", "assign_mediator",
           "assign_mediator", "schedule_session", "schedule_session", "withdraw", "extend_deadline", "add_note",
           "record_appeal_status"]


def random_step(rng: random.Random) -> MediationStep:
    """A step from the same vocabulary as `steps()`, without waits (the server's clock is real), and
    sessions a week or more ahead (never held here) or within the hour (short notice)."""
    mediate = rng.random() < 0.75
    issues = rng.choice([None, (MediationIssue.education,), (MediationIssue.education, MediationIssue.health)])
    wants_health = mediate and MediationIssue.health in (issues or (MediationIssue.education, MediationIssue.health))
    return MediationStep(
        action=rng.choice(ACTIONS), party=rng.choice([*WITH_HEALTH, UNKNOWN_PARTY]), flag=mediate,
        hours=rng.choice([1, 24 * 9, 24 * 400]), short_notice=rng.random() < 0.5, days=rng.choice([None, 0, -1, 1]),
        adviser_days=rng.choice([None, 0, -1, 1]), issues=issues, provision=wants_health if rng.random() < 0.9 else not wants_health,
        issuer=rng.choice([None, CertificateIssuer.mediation_adviser, CertificateIssuer.mediator]),
        deadline=rng.choice(["appeal", "no_such_deadline", "certificate"]), status=rng.choice(list(AppealStatus)),
    )


async def delivered(handle, view: CaseView) -> CaseView:
    """The case once the messages of the last action have gone (the health notice's duty is met by its sending)."""
    for _ in range(200):
        if all(record.status is not DeliveryStatus.pending for record in view.notifications):
            return view
        await asyncio.sleep(0.05)
        view = await handle.query(MediationCase.case_view)
    raise AssertionError("messages still pending after 10 seconds")


async def test_random_staff_actions_through_the_mediation_workflow_match_the_model(
    request: pytest.FixtureRequest, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with seeded_runs(request.config, dev_server.client, tmp_path) as (settings_, runs):
        for seed, rng in enumerate(runs):
            decided = in_england(datetime.now(UTC)) - timedelta(weeks=3)
            opened = open_mediation(decided, school_only=rng.random() < 0.3)
            handle = await dev_server.client.start_workflow(
                MediationCase.run, opened, id=f"MD-2026-M{uuid.uuid4().hex[:5].upper()}", task_queue=settings_.task_queue
            )
            view = await opened_view(handle)
            model = ReferenceMediation(now=datetime.now(UTC), decision_date=decided, school_only=opened.school_only)
            model.timeline = len(view.timeline)
            for _ in range(14):
                step = random_step(rng)
                model.now = datetime.now(UTC)
                before = len(view.timeline)
                view, accepted = await send_step(handle, step, model, seed)
                if accepted:
                    model.timeline = max(model.timeline, before + 1)
                    view = await delivered(handle, view)
                assert_matches(view, model)
