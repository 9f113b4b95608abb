"""A statutory mediation case (DESIGN section 8), free of Temporal: its stage rules and what each
action changes. It shares the case file (parties, deadlines, mediator, session, actions, appeal
clock) with disagreement resolution; what differs is here.

The law (Children and Families Act 2014 ss.52-57; SEND Regulations 2014, Part 2, "Mediation"):
- reg 33: a family that must obtain a mediation certificate contacts the mediation adviser within
  2 months after the Local Authority's written notice was sent (text checked).
- reg 34: a family that does not wish to, or fails to, pursue mediation gets a certificate from the
  adviser within 3 working days (heading checked; the period as IPSEA and the Code state it).
- LA duties once told the family wants mediation (regs 35-37, as IPSEA and the Code 11.13-11.38
  state them; the regulation text was not retrieved): tell each health commissioning body within 3
  working days when the issues include health; make sure mediation takes place within 30 days
  (the commissioning body, for health-only mediation, 30 days after it gets the LA's notice); the LA
  cannot refuse. If it cannot arrange it in time it tells the adviser, who issues a certificate
  within 3 working days. After mediation the certificate is issued within 3 working days.
- notice of the date and place at least 5 working days before, unless the family consents to less
  (Code ch.11, restating the regulations); the LA sends someone with authority to settle.
- reg 42 (text checked): an agreement on an appealable matter is done in the reg 44 periods, as if
  the Tribunal had ordered it (42(2)); anything else within 2 weeks (42(3)); a timescale agreed in
  writing replaces both (42(5)). Staff give the reg 44 date or the agreed date as the action's due
  date; without one, the 2 weeks of 42(3) apply.
- CFA s.55(3): no certificate is needed for an appeal only about the school or other institution
  named in the plan, or its type, or that none is named (`school_only`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from domain.appeal import add_months
from domain.calendar import london_date
from domain.case import APPLICANT, MEDIATION_OPEN_STAGES, SYSTEM, ActionStages, CaseFile, Party, RuleViolation, route_action_stages
from domain.notifications import CASE_OFFICER, MEDIATOR, Announcement, Template
from domain.deadlines import CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, AppealPlan, PlannedDeadline
from domain.models import (
    CaseOutcome,
    CaseStage,
    CertificateReason,
    CertificateView,
    DecisionView,
    IssueCertificate,
    MediationIssue,
    OpenMediation,
    OrganisationKind,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    Route,
    ScheduleSession,
    Withdraw,
)

LOCAL_AUTHORITY = "org-1"


class Mediation(CaseFile):
    action_stages: ClassVar[ActionStages] = route_action_stages(MEDIATION_OPEN_STAGES, {
        RecordChoice: (CaseStage.advice,), ReportCannotArrange: (CaseStage.arranging_session,),
    })
    arrangement_deadline: ClassVar[str] = MEDIATION_ARRANGEMENT
    opened: OpenMediation
    stage: CaseStage = CaseStage.advice
    mediate: bool | None = None  # the family's choice, once made
    la_notified_on: date | None = None
    cannot_arrange: bool = False
    certificate: CertificateView | None = None
    certificate_reason: CertificateReason | None = None  # why the certificate now due is owed

    @classmethod
    def open(cls, reference: str, opened: OpenMediation, at: datetime) -> Mediation:
        applicant = Party(
            id=APPLICANT, name=opened.applicant.name, contact=opened.applicant.contact, role=opened.applicant.role
        )
        bodies = [(opened.local_authority, OrganisationKind.local_authority)] + [
            (body, OrganisationKind.health_commissioner) for body in opened.health_commissioners
        ]
        organisations = [
            Party(id=f"org-{number}", name=body.name, contact=body.contact, kind=kind)
            for number, (body, kind) in enumerate(bodies, start=1)
        ]
        case = cls(
            reference=reference, opened=opened, parties=[applicant, *organisations],
            decision=DecisionView(kind=opened.decision_kind, date=opened.decision_date),
        )
        issues = ", ".join(issue.value for issue in opened.mediation_issues)
        case.record(at, opened.opened_by, "case_opened", f"statutory mediation about {opened.decision_kind.value}; issues: {issues}")
        return case

    # --- Reading the case ------------------------------------------------------------------------

    @property
    def health_only(self) -> bool:
        return self.opened.mediation_issues == [MediationIssue.health]

    @property
    def includes_health(self) -> bool:
        return MediationIssue.health in self.opened.mediation_issues

    @property
    def certificate_counts(self) -> bool:
        """Whether a certificate can move the appeal deadline: not for a school_only appeal, where
        none is required (DESIGN section 8, the cautious reading)."""
        return not self.opened.school_only

    def past_reg_33_window(self, today: date) -> bool:
        """More than 2 months since the decision notice: the Tribunal's permission is needed (reg 33)."""
        return today > add_months(self.opened.decision_date, 2)

    def commissioners(self) -> list[Party]:
        return [party for party in self.parties if party.kind is OrganisationKind.health_commissioner]

    def arranging_body(self) -> list[Party]:
        """Who must make mediation happen: the LA, or the commissioners for health-only mediation."""
        if self.health_only and self.commissioners():
            return self.commissioners()
        return [party for party in self.parties if party.id == LOCAL_AUTHORITY]

    def _route_facts(self) -> dict[str, Any]:
        certificate = self.certificate
        return {
            "route": "mediation",
            "decision_kind": self.opened.decision_kind.value,
            "decision_date": self.opened.decision_date,
            "certificate_date": certificate.issued_on if certificate else None,
            "certificate_reason": certificate.reason.value if certificate else None,
            "school_only": self.opened.school_only,
            "arranging_body": [party.name for party in self.arranging_body()],
        }

    def _route_view(self) -> dict:
        return {
            "route": Route.mediation,
            "certificate": self.certificate,
            "mediation_issues": self.opened.mediation_issues,
            "school_only": self.opened.school_only,
        }

    # --- Checks ------------------------------------------------------------------------------------

    def check_open(self, today: date) -> None:
        if self.opened.decision_date > today:
            raise RuleViolation(
                f"the decision date {self.opened.decision_date.isoformat()} is in the future: give the date the "
                "Local Authority's written notice was sent"
            )

    def check_record_choice(self, request: RecordChoice, today: date) -> None:
        self._require_stage(RecordChoice, doing="record the family's choice")
        if self.mediate is not None:
            raise RuleViolation("the family's choice is already recorded")
        told = request.la_notified_on or today
        if told > today:
            raise RuleViolation(f"the date the Local Authority was told, {told.isoformat()}, is in the future")
        if told < self.opened.decision_date:
            raise RuleViolation(
                f"the Local Authority cannot have been told on {told.isoformat()}, before its decision "
                f"({self.opened.decision_date.isoformat()})"
            )

    def check_issue_certificate(self, request: IssueCertificate, today: date) -> None:
        issued = request.issued_on or today
        if issued > today:
            raise RuleViolation(f"the certificate date {issued.isoformat()} is in the future")
        if self.certificate_reason is None:
            if self.mediate is None:
                raise RuleViolation(
                    "a certificate is issued once the family has told the mediation adviser whether they want "
                    "mediation: record their choice first (choose)"
                )
            raise RuleViolation(
                "no certificate is due now: it is issued after the family says no, after the Local Authority "
                "reports it cannot arrange mediation, or after mediation concludes"
            )
        if issued < self.opened.decision_date:
            raise RuleViolation(f"the certificate date {issued.isoformat()} is before the decision")

    def check_report_cannot_arrange(self, request: ReportCannotArrange, today: date) -> None:
        self._require_stage(ReportCannotArrange, doing="report that mediation cannot be arranged")
        if self.cannot_arrange:
            raise RuleViolation("it is already recorded that mediation could not be arranged in time")
        informed = request.adviser_informed_on or today
        if informed > today:
            raise RuleViolation(f"the date the adviser was told, {informed.isoformat()}, is in the future")
        # The LA can only say it cannot arrange mediation once it knows the family wants it.
        if self.la_notified_on is not None and informed < self.la_notified_on:
            raise RuleViolation(
                f"the adviser cannot have been told on {informed.isoformat()} that mediation cannot be arranged: "
                f"the Local Authority was told the family wants mediation on {self.la_notified_on.isoformat()}"
            )

    def check_schedule_session(self, request: ScheduleSession, now: datetime) -> None:
        super().check_schedule_session(request, now)
        # Weekends alone, never stricter than the exact count with bank holidays made when the session
        # is planned (`session_notice`: due 5 working days before the session day, today counting).
        if not request.short_notice_agreed and _weekdays_from(london_date(now), london_date(request.at)) < 5:
            raise RuleViolation(
                "the family must have at least 5 working days' notice of the date and place of mediation; "
                "book a later date, or record that they consented to shorter notice (--short-notice-agreed)"
            )

    def check_withdraw(self, request: Withdraw) -> None:
        self._require_stage(Withdraw, doing="withdraw")
        if request.party != APPLICANT:
            raise RuleViolation(
                "only the family can withdraw from statutory mediation: the Local Authority cannot refuse it "
                "(Children and Families Act 2014 ss.53-54)"
            )

    # --- Applying actions --------------------------------------------------------------------------

    def announce_opening(self, at: datetime, today: date) -> list[Announcement]:
        told = [Announcement(Template.mediation_opened, tuple(self.party_ids()))]
        if self.past_reg_33_window(today):
            self.record(
                at, SYSTEM, "late_opening",
                "opened more than 2 months after the decision (reg 33): an appeal needs the Tribunal's permission",
            )
            told.append(Announcement(Template.late_opening, (CASE_OFFICER,)))
        return told

    def record_choice(self, request: RecordChoice, planned: list[PlannedDeadline], at: datetime, today: date) -> list[Announcement]:
        """The family's answer; `planned` are the deadlines it starts (certificate, or arrangement
        and any health notice). Everyone hears it; with it the commissioners get the issues (reg 35)."""
        self.mediate = request.mediate
        self.la_notified_on = request.la_notified_on or today
        for deadline in planned:
            self.set_deadline(deadline)
        if not request.mediate:
            self.certificate_reason = CertificateReason.no_mediation
            self.record(at, request.actor, "mediation_declined", "the family does not want mediation")
            return [Announcement(Template.mediation_declined, tuple(self.party_ids()), None, {"due": planned[0].due})]
        self.stage = CaseStage.arranging_session
        self.record(at, request.actor, "mediation_chosen", f"Local Authority told on {self.la_notified_on.isoformat()}")
        told = [Announcement(Template.mediation_chosen, tuple(self.party_ids()), None, {"due": planned[0].due})]
        if self.includes_health and self.commissioners():
            self._settle(HEALTH_NOTICE)  # the commissioners are sent the issues with this message
        return told

    def issue_certificate(self, request: IssueCertificate, appeal: AppealPlan | None, at: datetime, today: date) -> None:
        """The certificate is issued; `appeal` is the clock worked out again with it (None where a
        certificate cannot move it)."""
        assert self.certificate_reason is not None
        self.certificate = CertificateView(issued_on=request.issued_on or today, reason=self.certificate_reason)
        self.certificate_reason = None
        self._settle(CERTIFICATE)
        self.record(at, request.actor, "certificate_issued", f"{self.certificate.reason.value}, dated {self.certificate.issued_on.isoformat()}")
        if appeal is not None and self.appeal_status is None:
            self.set_appeal(appeal, at)
        if self.stage is CaseStage.advice:  # after a "no", the certificate is the end of it
            self.close(CaseOutcome.certificate_only, at, request.actor)

    def announce_certificate(self) -> list[Announcement]:
        assert self.certificate is not None
        told = Announcement(
            Template.certificate_issued, (*self.party_ids(), MEDIATOR), f"certificate_issued-{self.certificate.issued_on:%Y%m%d}"
        )
        return [told] + ([self.closure()] if self.is_closed else [])

    def report_cannot_arrange(self, request: ReportCannotArrange, certificate: PlannedDeadline, at: datetime) -> list[Announcement]:
        self.cannot_arrange = True
        self.certificate_reason = CertificateReason.not_arranged
        self.set_deadline(certificate)
        self.record(at, request.actor, "cannot_arrange", request.reason)
        return [Announcement(
            Template.cannot_arrange, (*self.party_ids(), MEDIATOR), None, {"due": certificate.due, "reason": request.reason}
        )]

    def record_outcome(self, request: RecordOutcome, action_dues: list[date], certificate: PlannedDeadline, at: datetime) -> None:
        """Mediation has concluded: the certificate is due (whatever the result) and agreed actions
        are followed up; without any the case closes."""
        self.result = request.result
        views = {True: "; the child's views were sought", False: "; the child's views were not sought", None: ""}
        self.record(
            at, request.actor, "outcome_recorded",
            f"{request.result.value}, {len(request.actions)} agreed action(s){views[request.child_views_sought]}",
        )
        self._agree_actions(request, action_dues)
        self.certificate_reason = CertificateReason.mediation_concluded
        self.set_deadline(certificate)
        if self.actions:
            self.stage = CaseStage.monitoring_agreement
        else:
            self.close(CaseOutcome(request.result.value), at, request.actor)

    def withdraw(self, request: Withdraw, certificate: PlannedDeadline | None, at: datetime) -> list[Announcement]:
        """The family withdraws. Having chosen mediation, they still get a certificate (reg 34,
        "fails to pursue"). After the LA reported it could not arrange mediation, the family not
        going on is the outcome `not_arranged`."""
        self.record(at, request.actor, "withdrawn", f"the family withdrew: {request.reason}")
        if certificate is not None:
            self.certificate_reason = CertificateReason.not_pursued
            self.set_deadline(certificate)
        self.close(CaseOutcome.not_arranged if self.cannot_arrange else CaseOutcome.withdrawn, at, request.actor)
        return [self.closure(party_name=self.opened.applicant.name, resolution_started=self.mediate is True)]

    def withdrawn_by_service(self, certificate: PlannedDeadline | None, at: datetime) -> list[Announcement]:
        """The service withdraws the case. A family who chose mediation did not stop it themselves:
        mediation will not take place, so the adviser's certificate is still owed to them, as when
        the LA cannot arrange it."""
        if certificate is not None and not self.is_closed:
            self.certificate_reason = CertificateReason.not_arranged
            self.set_deadline(certificate)
        return self._close_for_service(at, resolution_started=self.mediate is True)

    def owes_certificate_on_withdrawal(self) -> bool:
        return bool(self.mediate) and self.certificate is None and self.certificate_reason is None


def _weekdays_from(start: date, end: date) -> int:
    """Monday-to-Friday days from `start` up to the day before `end`."""
    return sum(1 for offset in range((end - start).days) if date.fromordinal(start.toordinal() + offset).weekday() < 5)
