"""Model-based tests of DESIGN section 3: random sequences of staff actions, invalid ones included,
against the reference model in tests/case_model.py. Every accepted action must leave the case as the
model says; every refused one must change nothing and say why in words.

- On the stage rules (`domain.resolution.Resolution`, checked then applied as the workflow does): hypothesis
  stateful testing, 200 sequences in `make test`, 5,000 with `pytest --heavy`.
- End to end, through the workflow's updates on the dev server: sequences drawn from the same
  vocabulary (seeded, so a failure names its seed), 4 in `make test`, 40 with `--heavy`.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from temporalio.testing import WorkflowEnvironment

from domain.case import RuleViolation
from domain.resolution import Resolution
from domain.models import CaseStage, CaseView, SessionResult
from tests.case_model import PARTIES, UNKNOWN_PARTY, ReferenceCase, StaffStep, seeded_runs, send_step, steps_of_both_routes
from tests.conftest import open_case, opened_view, start_case
from tests.heavy import run_sequences

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ANY_PARTY = st.sampled_from([*PARTIES, UNKNOWN_PARTY])


def steps() -> st.SearchStrategy[StaffStep]:
    """Every staff action with arguments that are sometimes valid and sometimes not, and time passing."""
    return st.one_of(
        st.builds(StaffStep, action=st.just("record_talk"), flag=st.booleans()),
        st.builds(StaffStep, action=st.just("offer_resolution")),
        st.builds(StaffStep, action=st.just("record_consent"), party=ANY_PARTY, flag=st.booleans()),
        *steps_of_both_routes(ANY_PARTY, [-2, 1, 30, 24 * 400]),
        st.builds(StaffStep, action=st.just("wait"), hours=st.sampled_from([1, 2, 48])),
    )


def check_and_apply(case: Resolution, step: StaffStep, now: datetime) -> None:
    """What the workflow does with an update: check (the validator), then apply; raises RuleViolation."""
    request = step.request(now)
    match step.action:
        case "schedule_session":
            case.check_schedule_session(request, now)
            case.schedule_session(request, now)
        case "record_outcome":
            case.check_record_outcome(request, now)
            case.record_outcome(request, now, [action.agreed_due or (now + timedelta(days=14)).date() for action in request.actions])
        case "extend_deadline":
            case.check_extend_deadline(request, now.date())
            raise AssertionError("an extension the model refuses was accepted")
        case _:
            getattr(case, f"check_{step.action}")(request)
            getattr(case, step.action)(request, now)


def assert_matches(view: CaseView, model: ReferenceCase) -> None:
    assert view.stage is model.stage
    assert view.outcome == model.outcome
    assert {party.id: party.consent.value for party in view.parties} == model.consent
    assert (view.mediator is not None) == model.mediator
    assert (view.session.number if view.session else 0) == model.sessions
    assert (view.session.at if view.session else None) == model.session_at
    assert {action.number: action.done for action in view.actions} == model.actions
    assert len(view.timeline) == model.timeline


class StageRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model = ReferenceCase(now=START)
        self.case = Resolution.open("DR-2026-MODEL1", open_case(), START)

    @rule(step=steps())
    def act(self, step: StaffStep) -> None:
        now = self.model.now
        before = self.case.model_dump()
        if step.action == "wait":
            self.model.apply(step)
            return
        try:
            check_and_apply(self.case, step, now)
            accepted = True
        except RuleViolation as refusal:
            accepted = False
            assert str(refusal) and "Traceback" not in str(refusal)
        expected = self.model.apply(step)
        assert accepted == expected, f"{step}: the case {'accepted' if accepted else 'refused'} it, the model did not"
        if not accepted:
            assert self.case.model_dump() == before, f"{step} was refused but changed the case"

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert_matches(self.case.view(), self.model)


@pytest.mark.timeout(1800)  # 5,000 sequences with --heavy
def test_random_staff_actions_on_the_stage_rules_match_the_model(request: pytest.FixtureRequest) -> None:
    run_sequences(StageRules, request.config, steps=25)


# --- End to end, on the dev server ----------------------------------------------------------------

ACTIONS = ["record_talk", "offer_resolution", "record_consent", "record_consent", "record_consent", "assign_mediator",
           "schedule_session", "record_outcome", "complete_action", "withdraw", "extend_deadline", "add_note"]


def random_step(rng: random.Random) -> StaffStep:
    """A step from the same vocabulary as `steps()`, without waits (the server's clock is real)."""
    action = rng.choice(ACTIONS)
    party = rng.choice([*PARTIES, UNKNOWN_PARTY])
    owners = tuple(rng.choice([*PARTIES, UNKNOWN_PARTY]) for _ in range(rng.randint(0, 2)))
    return StaffStep(
        action=action, party=party, flag=rng.random() < 0.75 if action != "record_talk" else rng.random() < 0.2,
        hours=rng.choice([-2, 30, 24 * 400]), result=rng.choice(list(SessionResult)), owners=owners,
        past_due=rng.random() < 0.2, number=rng.randint(0, 3), deadline=rng.choice(["appeal", "no_such_deadline"]),
    )


@pytest.mark.timeout(600)
async def test_random_staff_actions_through_the_workflow_match_the_model(
    request: pytest.FixtureRequest, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    async with seeded_runs(request.config, dev_server.client, tmp_path) as (settings_, runs):
        for seed, rng in enumerate(runs):
            handle = await start_case(dev_server.client, settings_, reference=f"DR-2026-M{uuid.uuid4().hex[:5].upper()}")
            view = await opened_view(handle)
            model = ReferenceCase(now=datetime.now(UTC))
            for _ in range(14):
                step = random_step(rng)
                if step.action == "record_outcome" and model.session_at is not None:
                    continue  # a session scheduled here is always in the future: never held
                view, accepted = await send_step(handle, step, model, seed)
                assert_matches(view, model)
                if model.stage is CaseStage.closed and not accepted:
                    break  # closed, and shown to refuse what follows
