"""Which actions the case page offers at each stage of each route, worked by hand from DESIGN sections
3 and 8: the stages come from the domain's table (`route_action_stages`), which its checks require."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.resolution import Resolution
from domain.mediation import Mediation
from domain.models import CallbackView, CaseStage, CaseView, DeadlineState, DeadlineView
from tests.conftest import open_case
from tests.journeys import open_mediation
from web.forms import offered

OPENED = datetime(2026, 12, 1, tzinfo=UTC)
# `reassign` is offered at these stages to team managers only: the case page keeps the forms a role allows.
ALWAYS_OPEN = {"extend", "note", "withdraw", "reassign"}

DR_OFFERED = {
    CaseStage.informal_talks: {"talk", "offer", "decision", *ALWAYS_OPEN},
    CaseStage.awaiting_consent: {"consent", "decision", *ALWAYS_OPEN},
    CaseStage.arranging_session: {"mediator", "session", "times", "decision", *ALWAYS_OPEN},
    CaseStage.session_scheduled: {"mediator", "session", "outcome", "decision", *ALWAYS_OPEN},
    CaseStage.monitoring_agreement: {"action-done", "decision", *ALWAYS_OPEN},
    # The decision has no stage: it starts the family's appeal clock, which outlives the case.
    CaseStage.closed: {"decision"},
}
# The certificate is offered while a certificate duty is owed, whatever the stage (below).
MD_OFFERED = {
    CaseStage.advice: {"choose", *ALWAYS_OPEN},
    CaseStage.arranging_session: {"mediator", "session", "times", "cannot-arrange", *ALWAYS_OPEN},
    CaseStage.session_scheduled: {"mediator", "session", "outcome", *ALWAYS_OPEN},
    CaseStage.monitoring_agreement: {"action-done", *ALWAYS_OPEN},
    # The process is over; only the certificate it still owes (and notes, and a new officer) remain.
    CaseStage.certificate_due: {"note", "reassign"},
    CaseStage.closed: set(),
}


# Session times are proposed while arranging the session (DESIGN section 14); a call-back is recorded
# whenever one is owed.


def test_a_call_back_owed_is_offered_to_record() -> None:
    view = Resolution.open("DR-2026-AAAAAA", open_case(), OPENED).view()
    owed = DeadlineView(name="callback-1", due=date(2026, 12, 3), state=DeadlineState.open, owed_by="case_officer")
    called = view.model_copy(update={"deadlines": [owed], "callbacks": [CallbackView(number=1, party="applicant")]})
    assert "callback" in at_stage(called, CaseStage.informal_talks) and "callback" not in at_stage(view, CaseStage.informal_talks)


def at_stage(view: CaseView, stage: CaseStage) -> set[str]:
    return {form.slug for form in offered(view.model_copy(update={"stage": stage}))}


@pytest.mark.parametrize("stage", DR_OFFERED)
def test_a_disagreement_resolution_case_is_offered_its_stages_actions(stage: CaseStage) -> None:
    view = Resolution.open("DR-2026-AAAAAA", open_case(), OPENED).view()
    assert at_stage(view, stage) == DR_OFFERED[stage]


@pytest.mark.parametrize("stage", MD_OFFERED)
def test_a_mediation_case_is_offered_its_stages_actions(stage: CaseStage) -> None:
    view = Mediation.open("MD-2026-AAAAAA", open_mediation(date(2026, 11, 20)), OPENED).view()
    assert at_stage(view, stage) == MD_OFFERED[stage]


@pytest.mark.parametrize("stage", MD_OFFERED)
def test_a_mediation_case_owing_a_certificate_is_offered_it_at_any_stage(stage: CaseStage) -> None:
    view = Mediation.open("MD-2026-AAAAAA", open_mediation(date(2026, 11, 20)), OPENED).view()
    owed = DeadlineView(name="certificate", due=date(2026, 12, 4), state=DeadlineState.open, owed_by="mediation_adviser")
    assert at_stage(view.model_copy(update={"deadlines": [owed]}), stage) == MD_OFFERED[stage] | {"certificate"}
