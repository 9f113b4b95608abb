"""Search attributes (DESIGN section 4): what operators can filter on in the Web UI and `list`.

None of them holds personal data: stage, outcome, kinds, EHC point, the officer's staff id and a
date. The dev server registers exactly `SEARCH_ATTRIBUTES`.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from domain.case import CaseFile
from domain.deadlines import APPEAL
from domain.models import DeadlineState
from domain.words import duty_words, long_date

CASE_STAGE = SearchAttributeKey.for_keyword("CaseStage")
CASE_OUTCOME = SearchAttributeKey.for_keyword("CaseOutcome")
DISAGREEMENT_KINDS = SearchAttributeKey.for_keyword_list("DisagreementKinds")
EHC_POINT = SearchAttributeKey.for_keyword("EhcPoint")
CASE_OFFICER = SearchAttributeKey.for_keyword("CaseOfficer")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("NextDeadline")
# When the family's Tribunal appeal deadline expires (midnight in England after its last day), while
# the appeal clock runs; unset once it has passed or the appeal status is recorded (DESIGN section 8).
APPEAL_DEADLINE = SearchAttributeKey.for_datetime("AppealDeadline")
# What staff are warned of on the case (late opening, a later certificate, the party's age), by code.
CASE_WARNINGS = SearchAttributeKey.for_keyword_list("CaseWarnings")
# Every duty still owed (DESIGN section 13: the officer's due list is one visibility query), as
# "due|duty|owed by": e.g. "2026-12-14|consent_window|case_officer", "2026-12-21|action_1|org-2:school".
OPEN_DUTIES = SearchAttributeKey.for_keyword_list("OpenDuties")

SEARCH_ATTRIBUTES = (
    CASE_STAGE, CASE_OUTCOME, DISAGREEMENT_KINDS, EHC_POINT, CASE_OFFICER, NEXT_DEADLINE, APPEAL_DEADLINE, CASE_WARNINGS,
    OPEN_DUTIES,
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
    duties = open_duties(case)
    updates.append(OPEN_DUTIES.value_set(duties) if duties else OPEN_DUTIES.value_unset())
    if case.warnings:  # only cases with a warning touch it
        updates.append(CASE_WARNINGS.value_set(sorted({warning.code.value for warning in case.warnings})))
    appeal = case.deadline(APPEAL)
    if appeal is not None:  # only cases with an appeal clock touch it (older cases never did)
        updates.append(
            APPEAL_DEADLINE.value_set(appeal.expires_at) if case.appeal_clock_running else APPEAL_DEADLINE.value_unset()
        )
    return updates


def open_duties(case: CaseFile) -> list[str]:
    """The duties still owed (open, or missed and not yet done: `Deadline.owed`), earliest first.

    Who owes one is a role, or for an agreed action the party's id with its organisation kind
    ("org-2:school"): never a name (DESIGN section 5). The family's appeal clock is no duty anybody
    owes (domain.duties.APPEAL_DUTY): `AppealDeadline` holds it."""
    if case.is_closed:  # nothing but the family's own clock runs on
        return []
    return [
        f"{deadline.due.isoformat()}|{deadline.name}|{_owed_by(case, deadline.owed_by)}"
        for deadline in sorted(case.deadlines, key=lambda deadline: (deadline.due, deadline.name))
        if deadline.owed and deadline.name != APPEAL
    ]


def _owed_by(case: CaseFile, owed_by: str | None) -> str:
    party = case.party(owed_by) if owed_by else None
    if party is not None and party.kind is not None:
        return f"{party.id}:{party.kind.value}"
    return owed_by or ""


def case_summary(reference: str) -> str:
    """The static summary shown in the Web UI's list: the reference and nothing personal."""
    return f"SEND disagreement case {reference}"


ROUTE_WORDS = {
    "DR-": "a SEND **disagreement resolution** case: voluntary, every party must agree (SEND Code of Practice "
    "11.6-11.12; Children and Families Act 2014 s.57). It gives no certificate and does not move the "
    "family's Tribunal appeal deadline.",
    "MD-": "a SEND **statutory mediation** case about a Local Authority decision (Children and Families Act "
    "2014 ss.52-56; SEND Regulations 2014 regs 32-42). The Local Authority cannot refuse it; the mediation "
    "adviser's certificate can move the Tribunal appeal deadline.",
}


def case_details(reference: str) -> str:
    """The static details shown on a case's page in the Web UI: what the case is and where to read
    more. Plaintext to every operator, so nothing about the family or the organisations."""
    route = ROUTE_WORDS[reference[:3]]
    return "\n".join([
        f"**{reference}** is {route}",
        "",
        "Where it stands is under *Current details* and in the search attributes `CaseStage`, "
        "`CaseOutcome` and `NextDeadline`. Names, contact details and notes are encrypted: read them "
        f"with `disagreement show {reference}` or through the codec server.",
        "",
        "Read more in the repository: `docs/process-and-law.md` (the process and its sources), "
        "`docs/contract.md` (fields, search attributes, commands) and `docs/operating.md` (what to do "
        "when a message fails, or a case is cancelled here).",
    ])


def current_details(case: CaseFile) -> str:
    """The Web UI's current details: where the case is, then each deadline still to be met.

    The Web UI renders CommonMark without the table extension (its `/render` uses
    mdast-util-from-markdown alone), so a table would run its cells together: a list it is, with a
    blank line before it so that it starts a block of its own."""
    lines = [f"**{case.reference}**: {case.describe()}"]
    waiting = [
        d for d in case.deadlines
        if d.state is DeadlineState.open or (d.state is DeadlineState.missed and d.outstanding)
    ]
    if waiting:
        lines += ["", "Deadlines:", ""]
        lines += [
            f"- **{duty_words(d.name)}**: due {d.due:%A} {long_date(d.due)}"
            + (" (missed: still to be done)" if d.state is DeadlineState.missed else "")
            for d in sorted(waiting, key=lambda d: d.due)
        ]
    return "\n".join(lines)
