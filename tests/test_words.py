"""Codes, enums and times in words (domain/words.py): England's time, GOV.UK's style, and no code
left over in any table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain import words
from domain.models import (
    AppealStatus, ApplicantRole, CaseOutcome, CaseStage, CertificateIssuer, CertificateReason, Channel, Consent,
    DeadlineState, DeadlineView, DecisionKind, DeliveryStatus, DisagreementKind, EhcPoint, MediationIssue, OrderKind,
    OrganisationKind, SessionResult,
)
from domain.notifications import Template


def test_dates_and_times_are_written_in_englands_time() -> None:
    assert words.long_date(date(2026, 12, 7)) == "7 December 2026"
    assert words.long_date(None) == ""
    assert words.date_and_time(datetime(2026, 12, 3, 14, 25, tzinfo=UTC)) == "3 December 2026 at 2:25pm"
    assert words.date_and_time(datetime(2027, 7, 1, 8, 0, tzinfo=UTC)) == "1 July 2027 at 9am"  # BST
    assert words.date_and_time(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027 at 12:30am"  # the next day in England
    assert words.date_and_time(datetime(2027, 1, 12, 12, 0, tzinfo=UTC)) == "12 January 2027 at midday"


def test_duties_are_named_in_words() -> None:
    assert words.duty_words("outcome_record") == "Record the session outcome"
    assert words.duty_words("action-2") == "Agreed action 2"
    assert words.duty_words("callback-1") == "Call-back 1"
    assert words.duty_words("agreement_notice") == "Tell the Local Authority of the agreement"


def test_every_duty_the_deadlines_know_has_its_words_by_the_same_name() -> None:
    from domain import deadlines

    assert {name for name in words.DUTY_WORDS if deadlines.is_known_deadline(name)} == set(words.DUTY_WORDS)
    assert all(words.duty_words(name) != name for name in (
        deadlines.TALKS_REVIEW, deadlines.CONSENT_WINDOW, deadlines.SESSION_ARRANGEMENT, deadlines.OUTCOME_RECORD,
        deadlines.WRITTEN_OUTCOME, deadlines.APPEAL, deadlines.CERTIFICATE, deadlines.HEALTH_NOTICE,
        deadlines.MEDIATION_ARRANGEMENT, deadlines.AGREEMENT_NOTICE,
    ))


def test_who_owes_a_duty() -> None:
    assert words.owner_words("local_authority") == "The Local Authority"
    assert words.owner_words("mediation_adviser") == "The mediation adviser"
    assert words.owner_words("mediator") == "The mediator"
    assert words.owner_words("health_commissioner") == "The health commissioners"
    assert words.owner_words("case_officer") == "The case officer"
    assert words.owner_words("org-1", {"org-1": "Hill Top Primary"}) == "Hill Top Primary"
    assert words.owner_words("org-1") == "Organisation 1"
    assert words.owner_words("applicant") == "The family"
    assert words.owner_words(None) == ""


def test_a_stage_heading_has_no_code() -> None:
    assert words.stage_words(CaseStage.closed) == "Closed"
    assert words.stage_words(CaseStage.advice) == "With the family deciding whether to mediate"


@pytest.mark.parametrize(("state", "owed", "settled", "expected"), [
    (DeadlineState.open, True, None, "Open"),
    (DeadlineState.met, False, date(2026, 12, 1), "Met"),
    (DeadlineState.missed, False, date(2026, 12, 1), "Met late"),  # done after its due date
    (DeadlineState.missed, True, None, "Missed"),  # and still owed
    (DeadlineState.cancelled, False, date(2026, 12, 1), "Cancelled"),
])
def test_a_duty_is_met_met_late_missed_open_or_cancelled(state, owed, settled, expected) -> None:
    deadline = DeadlineView(name="certificate", due=date(2026, 11, 30), state=state, owed=owed, settled_on=settled)
    assert words.deadline_state_words(deadline) == expected


def test_messages_and_timeline_events_in_words() -> None:
    assert words.template_words("resolution_offered") == "Offer of disagreement resolution"
    assert words.event_words("outcome_recorded") == "Session outcome recorded"
    assert words.organisation_kind_words(OrganisationKind.school) == "A school"
    assert words.counted(1, "case") == "1 case" and words.counted(2, "case") == "2 cases"


@pytest.mark.parametrize(("table", "codes"), [
    (words.OUTCOME_WORDS, CaseOutcome), (words.SESSION_RESULT_WORDS, SessionResult), (words.CONSENT_WORDS, Consent),
    (words.DEADLINE_STATE_WORDS, DeadlineState), (words.CHANNEL_WORDS, Channel), (words.DELIVERY_WORDS, DeliveryStatus),
    (words.TEMPLATE_WORDS, Template), (words.APPLICANT_ROLE_WORDS, ApplicantRole),
    (words.ORGANISATION_KIND_WORDS, OrganisationKind), (words.DISAGREEMENT_KIND_WORDS, DisagreementKind),
    (words.EHC_POINT_WORDS, EhcPoint), (words.DECISION_KIND_WORDS, DecisionKind),
    (words.MEDIATION_ISSUE_WORDS, MediationIssue), (words.CERTIFICATE_REASON_WORDS, CertificateReason),
    (words.CERTIFICATE_ISSUER_WORDS, CertificateIssuer), (words.ORDER_KIND_WORDS, OrderKind),
    (words.APPEAL_STATUS_WORDS, AppealStatus),
])
def test_every_code_has_its_words_and_none_reads_as_a_code(table, codes) -> None:
    assert set(table) == set(codes)
    assert not [text for text in table.values() if "_" in text or text != text.strip() or not text[:1].isupper()]


def test_every_event_the_domain_records_has_its_words() -> None:
    import re
    from pathlib import Path

    recorded = set()
    for module in Path("domain").glob("*.py"):
        recorded |= set(re.findall(r'record\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', module.read_text()))
    recorded |= {"session_scheduled", "session_rescheduled", "deadline_extended", "officer_reassigned"}
    assert recorded and recorded <= set(words.EVENT_WORDS)


def test_every_warning_code_has_its_words_for_the_cases_list() -> None:
    from domain.case import WarningCode

    # The warnings are timeline events too: one table words both.
    assert {code.value for code in WarningCode} <= set(words.EVENT_WORDS)
    assert words.event_words(WarningCode.late_opening) == "Opened late"
