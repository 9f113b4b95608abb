"""Search attributes (DESIGN section 4): what operators can filter on in the Web UI and `list`.

None of them holds personal data: stage, outcome, kinds, EHC point, the officer's staff id and a
date. The dev server registers exactly `SEARCH_ATTRIBUTES`.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from domain.case import CaseFile
from domain.deadlines import APPEAL

CASE_STAGE = SearchAttributeKey.for_keyword("CaseStage")
CASE_OUTCOME = SearchAttributeKey.for_keyword("CaseOutcome")
DISAGREEMENT_KINDS = SearchAttributeKey.for_keyword_list("DisagreementKinds")
EHC_POINT = SearchAttributeKey.for_keyword("EhcPoint")
CASE_OFFICER = SearchAttributeKey.for_keyword("CaseOfficer")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")
# When the family's Tribunal appeal deadline expires (midnight in England after its last day), while
# the appeal clock runs; unset once it has passed or the appeal status is recorded (DESIGN section 8).
APPEAL_DEADLINE = SearchAttributeKey.for_datetime("AppealDeadline")

SEARCH_ATTRIBUTES = (
    CASE_STAGE, CASE_OUTCOME, DISAGREEMENT_KINDS, EHC_POINT, CASE_OFFICER, NEXT_DEADLINE, APPEAL_DEADLINE,
)


def search_attribute_updates(case: CaseFile) -> list[SearchAttributeUpdate]:
    next_deadline = case.next_deadline()
    view = case.view()
    updates = [
        CASE_STAGE.value_set(case.stage.value),
        CASE_OUTCOME.value_set(case.outcome.value) if case.outcome else CASE_OUTCOME.value_unset(),
        DISAGREEMENT_KINDS.value_set([kind.value for kind in view.kinds]),
        EHC_POINT.value_set(view.ehc_point.value) if view.ehc_point else EHC_POINT.value_unset(),
        CASE_OFFICER.value_set(case.case_officer),
        NEXT_DEADLINE.value_set(next_deadline.expires_at) if next_deadline else NEXT_DEADLINE.value_unset(),
    ]
    appeal = case.deadline(APPEAL)
    if appeal is not None:  # only cases with an appeal clock touch it (older cases never did)
        updates.append(
            APPEAL_DEADLINE.value_set(appeal.expires_at) if case.appeal_clock_running else APPEAL_DEADLINE.value_unset()
        )
    return updates


def case_summary(reference: str) -> str:
    """The static summary shown in the Web UI's list: the reference and nothing personal."""
    return f"SEND disagreement case {reference}"
