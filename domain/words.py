"""Every code, enum and time of a case in words, for the console's pages, the CLI's tables and the
subject access document (which goes to a member of the public).

Dates and times are written in England's time (Europe/London), the way GOV.UK writes them:
"7 December 2026", "3 December 2026 at 2:25pm". A word table here is the one place a code is
turned into words; pages and tables import it, never keep their own copy.

Consent belongs to disagreement resolution only (SEND Code 11.6: it needs every party's
agreement); statutory mediation is the family's choice and the Local Authority cannot refuse it
(Children and Families Act 2014 ss.53-54), so nothing here describes a mediation party's consent.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.calendar import clock_time, date_and_time, long_date  # noqa: F401  (re-exported: the date words live beside the calendar)
from domain.duties import (
    ACTION_PREFIX, AGREEMENT_NOTICE, APPEAL, CALLBACK_PREFIX, CASE_OFFICER, CERTIFICATE, CONSENT_WINDOW, HEALTH_COMMISSIONER,
    HEALTH_NOTICE, LOCAL_AUTHORITY, MEDIATION_ADVISER, MEDIATION_ARRANGEMENT, MEDIATOR, OUTCOME_RECORD,
    SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME,
)
from domain.models import (
    STAGE_WORDS,
    AppealStatus,
    ApplicantRole,
    CaseOutcome,
    CaseStage,
    CertificateIssuer,
    CertificateReason,
    Channel,
    Consent,
    DeadlineState,
    DeadlineView,
    DecisionKind,
    DeliveryStatus,
    DisagreementKind,
    EhcPoint,
    MediationIssue,
    OrderKind,
    OrganisationKind,
    RecordOutcome,
    Route,
    SessionResult,
    TalkOutcome,
)
from domain.notifications import Template

APPLICANT = "applicant"  # the applicant's party id (domain.case.APPLICANT; not imported: no case rules needed)


# --- Dates and times --------------------------------------------------------------------------------


def words(value: object) -> str:
    """Any other code as words, the last resort of the tables below: `needs_assessment` -> `needs assessment`."""
    return str(getattr(value, "value", value) or "").replace("_", " ")


def counted(number: int, thing: str, things: str | None = None) -> str:
    """"1 case", "2 cases": never "2 case(s)"."""
    return f"{number} {thing if number == 1 else (things or thing + 's')}"


def listed(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def sentence(text: str) -> str:
    """The first letter in capitals and the rest as written ("NHS South Yorkshire ICB" stays so),
    unlike `str.capitalize`."""
    return text[:1].upper() + text[1:]


# --- Stages, outcomes, answers --------------------------------------------------------------------


def stage_words(stage: CaseStage | None) -> str:
    """A stage as a heading, without its code: "Closed", "With the family deciding whether to mediate"."""
    return sentence(STAGE_WORDS[stage]) if stage else "Unknown"


OUTCOME_WORDS = {
    CaseOutcome.resolved_informally: "Resolved in informal talks",
    CaseOutcome.declined: "A party declined disagreement resolution",
    CaseOutcome.no_response: "Not every party answered the offer in time",
    CaseOutcome.full_agreement: "Full agreement",
    CaseOutcome.partial_agreement: "Partial agreement",
    CaseOutcome.no_agreement: "No agreement",
    CaseOutcome.withdrawn: "Withdrawn",
    CaseOutcome.certificate_only: "Mediation not pursued: certificate only",
    CaseOutcome.not_arranged: "Mediation could not be arranged in time",
}
SESSION_RESULT_WORDS = {
    SessionResult.full_agreement: "Full agreement",
    SessionResult.partial_agreement: "Partial agreement",
    SessionResult.no_agreement: "No agreement",
}
# Disagreement resolution only (SEND Code 11.6: every party must agree; silence is not consent).
CONSENT_WORDS = {
    Consent.pending: "No answer yet",
    Consent.agreed: "Agreed",
    Consent.declined: "Declined",
    Consent.withdrawn: "Withdrawn",
}
TALK_WORDS = {TalkOutcome.resolved: "resolved", TalkOutcome.unresolved: "not resolved"}
APPEAL_STATUS_WORDS = {
    AppealStatus.lodged: "The family has appealed to the SEND Tribunal",
    AppealStatus.not_appealing: "The family is not appealing",
}


# --- Duties ---------------------------------------------------------------------------------------

DUTY_WORDS = {
    TALKS_REVIEW: "Review of informal talks",
    CONSENT_WINDOW: "Consent window",
    SESSION_ARRANGEMENT: "Arrange the session",
    OUTCOME_RECORD: "Record the session outcome",
    WRITTEN_OUTCOME: "Send the written outcome",
    APPEAL: "SEND Tribunal appeal deadline",
    CERTIFICATE: "Issue the mediation certificate",
    HEALTH_NOTICE: "Notify the health commissioners",
    MEDIATION_ARRANGEMENT: "Hold the mediation",
    AGREEMENT_NOTICE: "Tell the Local Authority of the agreement",
}
# Who owes a duty, when it is not one of the case's parties (DESIGN section 11; domain.duties).
OWNER_WORDS = {
    LOCAL_AUTHORITY: "The Local Authority",
    MEDIATION_ADVISER: "The mediation adviser",
    MEDIATOR: "The mediator",
    HEALTH_COMMISSIONER: "The health commissioners",
    CASE_OFFICER: "The case officer",
}
DEADLINE_STATE_WORDS = {
    DeadlineState.open: "Open",
    DeadlineState.met: "Met",
    DeadlineState.missed: "Missed",
    DeadlineState.cancelled: "Cancelled",
}
MET_LATE = "Met late"


def duty_words(name: str) -> str:
    """A duty by its name: "Record the session outcome"; "action-2" -> "Agreed action 2"."""
    if name.startswith(ACTION_PREFIX):
        return f"Agreed action {name.removeprefix(ACTION_PREFIX)}"
    if name.startswith(CALLBACK_PREFIX):
        return f"Call-back {name.removeprefix(CALLBACK_PREFIX)}"
    return DUTY_WORDS.get(name, sentence(words(name)))


def owner_words(owed_by: str | None, names: Mapping[str, str] = {}) -> str:
    """Who owes a duty: a party by its name when `names` has it, else "The family" or
    "Organisation 1"; the others by their role ("The Local Authority")."""
    if owed_by is None:
        return ""
    if owed_by in names:
        return names[owed_by]
    if owed_by in OWNER_WORDS:
        return OWNER_WORDS[owed_by]
    if owed_by == APPLICANT:
        return "The family"
    if owed_by.startswith("org-"):
        return f"Organisation {owed_by.removeprefix('org-')}"
    return sentence(words(owed_by))


def deadline_state_words(deadline: DeadlineView) -> str:
    """Met, met late, missed (and still owed, or not), open or cancelled. A missed duty done late
    is settled as `missed` with the day it was done (domain.case.CaseFile._settle): "Met late"."""
    if deadline.state is DeadlineState.missed and not deadline.owed and deadline.settled_on is not None:
        return MET_LATE
    return DEADLINE_STATE_WORDS[deadline.state]


# --- Messages -------------------------------------------------------------------------------------

CHANNEL_WORDS = {Channel.email: "Email", Channel.sms: "Text message", Channel.letter: "Letter"}
DELIVERY_WORDS = {
    DeliveryStatus.pending: "Waiting to be sent",
    DeliveryStatus.sent: "Sent",
    DeliveryStatus.failed: "Not delivered",
}
TEMPLATE_WORDS = {
    Template.case_opened: "Case opened",
    Template.resolution_offered: "Offer of disagreement resolution",
    Template.consent_reminder: "Reminder to answer the offer",
    Template.consent_recorded: "Answer to the offer recorded",
    Template.case_declined: "Disagreement resolution declined",
    Template.no_response: "No answer to the offer",
    Template.mediator_assigned: "Mediator assigned",
    Template.session_scheduled: "Session booked",
    Template.session_reminder: "Reminder of the session",
    Template.written_outcome: "Written outcome of the session",
    Template.action_due: "Agreed action due",
    Template.action_overdue: "Agreed action overdue",
    Template.appeal_warning: "Warning of the appeal deadline",
    Template.withdrawn: "Case withdrawn",
    Template.case_closed: "Case closed",
    Template.mediation_opened: "Mediation case opened",
    Template.mediation_chosen: "The family wants mediation",
    Template.mediation_declined: "The family does not want mediation",
    Template.certificate_issued: "Mediation certificate issued",
    Template.cannot_arrange: "Mediation cannot be arranged in time",
    Template.health_notice: "Notice to the health commissioners",
    Template.agreement_notice: "Notice of the agreement to the Local Authority",
    Template.deadline_reminder: "Deadline reminder",
    Template.deadline_missed: "Deadline missed",
    Template.notification_failed: "Message not delivered",
    Template.late_opening: "Late opening",
    Template.later_certificate: "A later certificate",
    Template.school_age_reached: "End of compulsory school age",
    Template.availability_requested: "Session times proposed",
    Template.answered_online: "An answer given online",
}


def template_words(template: str) -> str:
    return TEMPLATE_WORDS.get(template, sentence(words(template)))  # type: ignore[call-overload]


# --- The timeline ---------------------------------------------------------------------------------

EVENT_WORDS = {
    "case_opened": "Case opened",
    "talk_recorded": "Informal talk recorded",
    "resolution_offered": "Disagreement resolution offered",
    "consent_recorded": "Answer to the offer recorded",
    "mediator_assigned": "Mediator assigned",
    "session_scheduled": "Session booked",
    "session_rescheduled": "Session moved",
    "outcome_recorded": "Session outcome recorded",
    "action_completed": "Agreed action done",
    "note": "Note",
    "withdrawn": "Withdrawal",
    "withdrawn_by_service": "Withdrawn by the service",
    "cancellation_requested": "Cancellation requested",
    "deadline_extended": "Deadline extended",
    "extension_kept": "Extension kept",
    "extension_replaced": "Extension replaced",
    "deadline_missed": "Deadline missed",
    "notification_failed": "Message not delivered",
    "process_ended": "Process ended, a duty still owed",
    "case_closed": "Case closed",
    "decision_recorded": "Local Authority decision recorded",
    "appeal_deadline_computed": "Appeal deadline worked out",
    "appeal_status_recorded": "The family's appeal recorded",
    "officer_reassigned": "Case officer changed",
    "mediation_chosen": "The family wants mediation",
    "mediation_declined": "The family does not want mediation",
    "cannot_arrange": "Mediation cannot be arranged in time",
    "certificate_issued": "Mediation certificate issued",
    "certificate_still_owed": "Certificate still owed",
    "health_notice_sent": "Notice sent to the health commissioners",
    "agreement_notice_sent": "Notice of the agreement sent to the Local Authority",
    # Warnings (domain.case.WarningCode) are timeline events too.
    "late_opening": "Opened late",
    "later_certificate": "A later certificate",
    "school_age_reached": "End of compulsory school age",
    # Answers online (DESIGN section 14); an answer given through a link says "answered online".
    "consent_corrected": "Answer to the offer corrected",
    "slots_proposed": "Session times proposed",
    "availability_recorded": "Times a party can make recorded",
    "callback_requested": "Call-back asked for",
    "callback_made": "Called back",
}


def event_words(event: str) -> str:
    return EVENT_WORDS.get(event, sentence(words(event)))


# --- Who and what a case is about -----------------------------------------------------------------

# The two routes by the law's names: disagreement resolution (SEND Code 11.6-11.10, CFA 2014 s.57)
# is not mediation; statutory mediation is (CFA 2014 ss.53-55).
ROUTE_WORDS = {Route.disagreement_resolution: "Disagreement resolution", Route.mediation: "Statutory mediation"}

APPLICANT_ROLE_WORDS = {
    ApplicantRole.parent: "Parent",
    ApplicantRole.young_person: "Young person",
    ApplicantRole.alternative_person: "Acting for a young person who lacks capacity",
}
ORGANISATION_KIND_WORDS = {
    OrganisationKind.early_years: "An early years provider",
    OrganisationKind.school: "A school",
    OrganisationKind.college: "A college",
    OrganisationKind.local_authority: "The Local Authority",
    OrganisationKind.health_commissioner: "A health commissioning body",
}
# SEND Code 11.7.
DISAGREEMENT_KIND_WORDS = {
    DisagreementKind.duties: "How SEN duties are carried out",
    DisagreementKind.provision: "The special educational provision made",
    DisagreementKind.health_social_care: "Health or social care provision",
}
EHC_POINT_WORDS = {
    EhcPoint.none: "No EHC process (SEN support)",
    EhcPoint.needs_assessment: "EHC needs assessment",
    EhcPoint.plan_drafting: "Drawing up the EHC plan",
    EhcPoint.awaiting_tribunal: "Waiting for the SEND Tribunal",
    EhcPoint.annual_review: "Annual review",
    EhcPoint.reassessment: "Reassessment",
}
# The appealable decisions (CFA 2014 s.51(2)).
DECISION_KIND_WORDS = {
    DecisionKind.refusal_to_assess: "Refusal to carry out an EHC needs assessment",
    DecisionKind.refusal_to_issue_plan: "Refusal to issue an EHC plan",
    DecisionKind.plan_contents: "The contents of the EHC plan",
    DecisionKind.refusal_to_reassess: "Refusal to reassess",
    DecisionKind.refusal_to_amend: "Refusal to amend the EHC plan",
    DecisionKind.cease_to_maintain: "Decision to cease to maintain the EHC plan",
}
MEDIATION_ISSUE_WORDS = {
    MediationIssue.education: "Education",
    MediationIssue.health: "Health",
    MediationIssue.social_care: "Social care",
}
# CFA 2014 s.55(4), (5).
CERTIFICATE_REASON_WORDS = {
    CertificateReason.no_mediation: "The family did not want mediation",
    CertificateReason.not_pursued: "The family did not pursue mediation",
    CertificateReason.not_arranged: "Mediation could not be arranged in time",
    CertificateReason.mediation_concluded: "Mediation has taken place",
}
CERTIFICATE_ISSUER_WORDS = {
    CertificateIssuer.mediation_adviser: "The mediation adviser",
    CertificateIssuer.mediator: "The mediator",
}
# The kinds of order an appealable agreed action may be (SEND Regs 2014 reg 44(2), applied by reg 42(2)).
ORDER_KIND_WORDS = {
    OrderKind.assess: "Make an EHC needs assessment",
    OrderKind.reassess: "Make a reassessment",
    OrderKind.issue_plan: "Make and maintain an EHC plan",
    OrderKind.amend_plan: "Amend the plan's contents",
    OrderKind.name_school: "Name a school or other institution",
    OrderKind.continue_plan: "Continue to maintain the plan",
    OrderKind.cease_plan: "Cease to maintain the plan",
}


def kinds_words(kinds: list[DisagreementKind]) -> str:
    return "; ".join(DISAGREEMENT_KIND_WORDS[kind] for kind in kinds)


def issues_words(issues: list[MediationIssue]) -> str:
    """"education and health"."""
    return listed([MEDIATION_ISSUE_WORDS[issue].lower() for issue in issues])


def outcome_words(request: RecordOutcome) -> str:
    """A session's result and what follows: "Partial agreement, 2 agreed actions"."""
    return f"{SESSION_RESULT_WORDS[request.result]}, {counted(len(request.actions), 'agreed action')}"


def organisation_kind_words(kind: OrganisationKind | str | None) -> str:
    return ORGANISATION_KIND_WORDS.get(kind, sentence(words(kind))) if kind else ""  # type: ignore[call-overload]
