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
- reg 32(e) (text checked): the family tells the LA whether they want mediation, the mediation
  issues and, where health care provision is in issue, the provision they want specified; the
  LA's notice to each health commissioning body carries both (the `health_notice` duty).
- reg 42 (text checked): an agreement on an appealable matter is done in the reg 44 periods, as if
  the Tribunal had ordered it (42(2)); anything else within 2 weeks (42(3)); a timescale agreed in
  writing replaces both (42(5)); where the LA was not a party, the commissioning body tells it of
  the agreement within 1 week (42(4)). Periods in `domain.duties`.
- CFA s.55(4), (5): the mediation adviser issues the certificate, or the mediator after mediation.
  The first certificate fixes the appeal deadline (the cautious reading, docs/process-and-law.md).
- CFA s.55(3): no certificate is needed for an appeal only under s.51(2)(c) (the school or other
  institution named in the plan, or its type, or that none is named: `school_only`).

Every duty is held in its own right (DESIGN section 11): while a certificate is owed the case is in
`certificate_due` (or `monitoring_agreement` with actions open), never `closed`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from domain import duties
from domain.appeal import add_months
from domain.calendar import london_date
from domain.case import (
    APPLICANT, CASE_OPENED, MEDIATION_OPEN_STAGES, SYSTEM, ActionStages, CaseFile, Party, RuleViolation, WarningCode,
    route_action_stages,
)
from domain.duties import Duty
from domain.notifications import CASE_OFFICER, MEDIATOR, Announcement, AnswerPurpose, Recipient, RecipientKind, Template
from domain.words import (
    CERTIFICATE_ISSUER_WORDS, CERTIFICATE_REASON_WORDS, DECISION_KIND_WORDS, counted, date_and_time, issues_words,
    long_date, outcome_words, template_words,
)
from domain.deadlines import (
    AGREEMENT_NOTICE, APPEAL, CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, AppealPlan, DeadlineRequest,
    SESSION_NOTICE_WORKING_DAYS, PlannedDeadline, action_deadline,
)
from domain.models import (
    AddNote,
    AgreedActionInput,
    ApplicantRole,
    CaseOutcome,
    CaseStage,
    CertificateIssuer,
    CertificateReason,
    CertificateView,
    DecisionView,
    DeliveryStatus,
    IssueCertificate,
    MediationIssue,
    OpenMediation,
    OrganisationKind,
    ProposeSlots,
    ReassignOfficer,
    RecordCallback,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    RequestCallback,
    Route,
    ScheduleSession,
    SessionResult,
    StaffAction,
    Withdraw,
    acting_party,
    party_actor,
)

# The Local Authority's id: a party ("org-1"), except in health-only mediation, where it is not a
# party and is told only what the law asks (the choice, the certificate, the agreement, reg 42(4)).
LOCAL_AUTHORITY = "org-1"
LOCAL_AUTHORITY_NOT_A_PARTY = "local_authority"


class Mediation(CaseFile):
    action_stages: ClassVar[ActionStages] = route_action_stages(MEDIATION_OPEN_STAGES, {
        RecordChoice: (CaseStage.advice,), ReportCannotArrange: (CaseStage.arranging_session,),
        AddNote: (*MEDIATION_OPEN_STAGES, CaseStage.certificate_due),
        ReassignOfficer: (*MEDIATION_OPEN_STAGES, CaseStage.certificate_due),  # an officer is told while it is owed
        RequestCallback: (*MEDIATION_OPEN_STAGES, CaseStage.certificate_due),
        RecordCallback: (*MEDIATION_OPEN_STAGES, CaseStage.certificate_due),
    })
    arrangement_deadline: ClassVar[str] = MEDIATION_ARRANGEMENT
    independence_rule: ClassVar[str] = (
        "statutory mediation is led by an independent mediator, not employed by the Local Authority, an "
        "integrated care board or NHS England (SEND Code of Practice chapter 11; SEND Regulations 2014 regs 32-42)"
    )
    opened: OpenMediation
    stage: CaseStage = CaseStage.advice
    mediate: bool | None = None  # the family's choice, once made
    adviser_told_on: date | None = None
    la_notified_on: date | None = None
    issues: list[MediationIssue] = []  # as given at opening, then as the family stated them with the choice
    health_provision_sought: str | None = None  # reg 32(e)(iii)
    supporter_attending: str | None = None  # who comes with the family (reg 38(1)(b)), as they said
    cannot_arrange: bool = False
    certificates: list[CertificateView] = []  # the first fixes the appeal deadline
    certificate_reason: CertificateReason | None = None  # why the certificate now due is owed
    local_authority: Party | None = None  # the LA, where it is not a party (health-only mediation)

    @classmethod
    def open(cls, reference: str, opened: OpenMediation, at: datetime) -> Mediation:
        applicant = Party(
            id=APPLICANT, name=opened.applicant.name, contact=opened.applicant.contact, role=opened.applicant.role
        )
        authority = (opened.local_authority, OrganisationKind.local_authority)
        commissioners = [(body, OrganisationKind.health_commissioner) for body in opened.health_commissioners]
        # Health-only mediation is between the family and the commissioning bodies (reg 42(4) speaks of
        # "where the local authority was not a party"): org-1 is then the first commissioner.
        health_only = opened.mediation_issues == [MediationIssue.health] and bool(commissioners)
        bodies = commissioners if health_only else [authority, *commissioners]
        organisations = [
            Party(id=f"org-{number}", name=body.name, contact=body.contact, kind=kind)
            for number, (body, kind) in enumerate(bodies, start=1)
        ]
        case = cls(
            reference=reference, opened=opened, parties=[applicant, *organisations], issues=opened.mediation_issues,
            decision=DecisionView(kind=opened.decision_kind, date=opened.decision_date),
            local_authority=Party(
                id=LOCAL_AUTHORITY_NOT_A_PARTY, name=opened.local_authority.name,
                contact=opened.local_authority.contact, kind=OrganisationKind.local_authority,
            ) if health_only else None,
        )
        case.record(
            at, opened.opened_by, CASE_OPENED,
            f"Statutory mediation about the Local Authority's decision: {_lower_first(DECISION_KIND_WORDS[opened.decision_kind])}; "
            f"issues: {issues_words(opened.mediation_issues)}",
        )
        return case

    # --- Reading the case ------------------------------------------------------------------------

    @property
    def health_only(self) -> bool:
        """Mediation about health alone: the commissioning bodies arrange it; the LA is not a party."""
        return self.local_authority is not None

    @property
    def includes_health(self) -> bool:
        return MediationIssue.health in self.issues

    @property
    def certificate(self) -> CertificateView | None:
        """The first certificate: the one that fixes the appeal deadline."""
        return self.certificates[0] if self.certificates else None

    @property
    def certificate_counts(self) -> bool:
        """Whether a certificate can move the appeal deadline: not for a school_only appeal, where
        none is required (DESIGN section 8, the cautious reading)."""
        return not self.opened.school_only

    def certificate_moves_appeal(self) -> bool:
        """Only the first certificate moves the appeal deadline: whether a later one restarts the
        month is unsettled, so the product never gives a later date on its strength (DESIGN section 11)."""
        return self.certificate_counts and self.certificate is None and self.appeal_status is None

    def past_reg_33_window(self, today: date) -> bool:
        """More than 2 months since the decision notice: the family did not contact the mediation
        adviser in reg 33's time. That is not the appeal deadline (HESC Rules 2008 r.20)."""
        return today > add_months(self.opened.decision_date, 2)

    def commissioners(self) -> list[Party]:
        return [party for party in self.parties if party.kind is OrganisationKind.health_commissioner]

    def arranging_body(self) -> list[Party]:
        """Who must make mediation happen: the LA, or the commissioners for health-only mediation."""
        if self.health_only:
            return self.commissioners()
        return [party for party in self.parties if party.id == LOCAL_AUTHORITY]

    def told_of_progress(self) -> tuple[str, ...]:
        """Everyone who hears the choice and the certificate: the parties, and the LA where it is not one."""
        return (*self.party_ids(), *([LOCAL_AUTHORITY_NOT_A_PARTY] if self.local_authority else []))

    def certificate_owed(self) -> bool:
        certificate = self.deadline(CERTIFICATE)
        return certificate is not None and certificate.owed

    def duty(self, name: str) -> Duty:
        if name == CERTIFICATE:
            reason = self.certificate_reason or (self.certificates[-1].reason if self.certificates else None)
            assert reason is not None, "a certificate is planned once its reason is known"
            return duties.CERTIFICATE_DUTIES[reason]
        if name == HEALTH_NOTICE:
            return duties.HEALTH_NOTICE_DUTY
        if name == MEDIATION_ARRANGEMENT:
            return duties.ARRANGEMENT_BY_COMMISSIONER if self.health_only else duties.ARRANGEMENT_BY_LA
        if name == AGREEMENT_NOTICE:
            return duties.AGREEMENT_NOTICE_DUTY
        return super().duty(name)

    def owed_after_closure(self) -> tuple[str, ...]:
        """The certificate (CFA 2014 s.55) and the LA's notice of an agreement (reg 42(4)) are owed
        whatever ends the process."""
        return (CERTIFICATE, AGREEMENT_NOTICE)

    def stage_while_owed(self) -> CaseStage:
        return CaseStage.certificate_due if self.certificate_owed() else CaseStage.monitoring_agreement

    def action_due_source(self, action: AgreedActionInput) -> str:
        return self._action_period(action)[1]

    def _action_period(self, action: AgreedActionInput) -> tuple[int | None, str]:
        """An agreed action's period (calendar days from the agreement) and the rule it comes from:
        a timescale agreed in writing (reg 42(5)), the reg 44 period of an appealable matter (42(2)),
        or 2 weeks (42(3)). No default of our own."""
        if action.agreed_due is not None:
            return None, duties.AGREED_IN_WRITING
        if action.appealable:
            assert action.order_kind is not None
            return duties.REG_44_PERIODS[action.order_kind]
        return duties.OTHER_AGREEMENT

    def _route_facts(self) -> dict[str, Any]:
        latest = self.certificates[-1] if self.certificates else None
        return {
            "route": "mediation",
            "decision_kind": self.opened.decision_kind.value,
            "decision_date": self.opened.decision_date,
            "certificate_date": latest.issued_on if latest else None,
            "certificate_reason": latest.reason.value if latest else None,
            "certificate_issued_by": latest.issued_by.value if latest else None,
            "first_certificate_date": self.certificate.issued_on if self.certificate else None,
            "certificate_owed": self.certificate_owed(),
            "school_only": self.opened.school_only,
            "arranging_body": [party.name for party in self.arranging_body()],
            "health_only": self.health_only,
            "local_authority": self.local_authority.name if self.local_authority else None,
            "mediation_issues": [issue.value for issue in self.issues],
            "health_provision_sought": self.health_provision_sought,
        }

    def _route_view(self) -> dict:
        return {
            "route": Route.mediation,
            "certificate": self.certificate,
            "mediation_issues": self.issues,
            "school_only": self.opened.school_only,
            "health_provision_sought": self.health_provision_sought,
            "supporter_attending": self.supporter_attending,
        }

    def recipient(self, recipient_id: str) -> Recipient:
        if recipient_id == LOCAL_AUTHORITY_NOT_A_PARTY and self.local_authority is not None:
            authority = self.local_authority
            return Recipient(id=authority.id, kind=RecipientKind.organisation, name=authority.name, contact=authority.contact)
        return super().recipient(recipient_id)

    # --- Checks ------------------------------------------------------------------------------------

    def check_open(self, today: date) -> None:
        if self.opened.decision_date > today:
            raise RuleViolation(
                f"the decision date, {long_date(self.opened.decision_date)}, is in the future: give the date the "
                "Local Authority's written notice was sent",
                "decision_date",
            )
        born = self.opened.child_date_of_birth
        if born is not None and born > today:
            raise RuleViolation(f"the child's date of birth, {long_date(born)}, is in the future", "child_date_of_birth")

    def _same_answer(self, request: StaffAction) -> bool:
        if isinstance(request, RecordChoice):
            return self.mediate is not None and (
                request.mediate, request.mediation_issues or self.issues, request.health_provision_sought,
                request.supporter_attending,
            ) == (self.mediate, self.issues, self.health_provision_sought, self.supporter_attending)
        return super()._same_answer(request)

    def check_record_choice(self, request: RecordChoice, today: date) -> None:
        """The family's choice, recorded by staff or given by the family online (only the family
        chooses: reg 33). Once recorded it stands: a different choice from the family's link is
        refused; a family that no longer wants mediation withdraws (reg 34, "fails to pursue"), which
        staff record. Given online, the family tells the service, for the LA and the adviser, that
        day: no earlier date can be claimed from a link."""
        if self.repeats(request):
            return
        online = acting_party(request.actor) is not None
        if online and request.actor != party_actor(APPLICANT):
            raise RuleViolation(
                f"only the family chooses whether to mediate (SEND Regulations 2014 reg 33): {request.actor} cannot answer",
            )
        if online and self.mediate is not None:  # whatever the stage now: a link's answer is about the choice
            raise RuleViolation(
                "the family's choice is already recorded; a different answer cannot be given online: contact the case officer"
            )
        self._require_stage(RecordChoice, doing="record the family's choice")
        if self.mediate is not None:
            raise RuleViolation("the family's choice is already recorded")
        if online and (request.adviser_told_on or request.la_notified_on):
            raise RuleViolation(
                "a choice given online is dated the day it is given", "adviser_told_on" if request.adviser_told_on else "la_notified_on",
            )
        for told, who, field in (
            (request.adviser_told_on, "the mediation adviser", "adviser_told_on"),
            (request.la_notified_on, "the Local Authority", "la_notified_on"),
        ):
            told = told or today
            if told > today:
                raise RuleViolation(f"the date {who} was told, {long_date(told)}, is in the future", field)
            if told < self.opened.decision_date:
                raise RuleViolation(
                    f"{who} cannot have been told on {long_date(told)}, before the decision",
                    field, earliest=self.opened.decision_date,
                )
        issues = request.mediation_issues or self.issues
        wants_health = request.mediate and MediationIssue.health in issues
        if wants_health and not request.health_provision_sought:
            raise RuleViolation(
                "health is a mediation issue: give the health care provision the family wants specified in the EHC "
                "plan, which the Local Authority's notice to each health commissioning body must carry (SEND "
                "Regulations 2014 reg 32(e))",
                "health_provision_sought",
            )
        if request.health_provision_sought and not wants_health:
            raise RuleViolation(
                "the health care provision sought is given only when the family wants mediation and health is one "
                "of its issues",
                "health_provision_sought",
            )

    def check_issue_certificate(self, request: IssueCertificate, today: date) -> None:
        issued = request.issued_on or today
        if issued > today:
            raise RuleViolation(f"the certificate date, {long_date(issued)}, is in the future", "issued_on")
        if self.certificate_reason is None:
            if self.mediate is None:
                raise RuleViolation(
                    "no certificate is due yet: the family has not told the mediation adviser whether they want "
                    "mediation (record their choice), nor withdrawn"
                )
            raise RuleViolation(
                "no certificate is due now: it is issued after the family says no or stops, after the Local "
                "Authority reports it cannot arrange mediation, or after mediation concludes"
            )
        if issued < self.opened.decision_date:
            raise RuleViolation(
                f"the certificate date, {long_date(issued)}, is before the decision", "issued_on",
                earliest=self.opened.decision_date,
            )
        if self.certificate_reason is CertificateReason.mediation_concluded and self.session is not None:
            held = london_date(self.session.at)
            if issued < held:
                raise RuleViolation(
                    f"the certificate date, {long_date(issued)}, is before the mediation it follows",
                    "issued_on", earliest=held,
                )
        issuer = self._issuer()
        if request.issued_by is not None and request.issued_by is not issuer:
            raise RuleViolation(
                "after mediation the mediator issues the certificate (Children and Families Act 2014 s.55(5))"
                if issuer is CertificateIssuer.mediator else
                "this certificate is issued by the mediation adviser, not a mediator: no mediation has concluded "
                "(Children and Families Act 2014 s.55(4))",
                "issued_by",
            )

    def _issuer(self) -> CertificateIssuer:
        if self.certificate_reason is CertificateReason.mediation_concluded:
            return CertificateIssuer.mediator
        return CertificateIssuer.mediation_adviser

    def check_report_cannot_arrange(self, request: ReportCannotArrange, today: date) -> None:
        self._require_stage(ReportCannotArrange, doing="report that mediation cannot be arranged")
        if self.cannot_arrange:
            raise RuleViolation("it is already recorded that mediation could not be arranged in time")
        informed = request.adviser_informed_on or today
        if informed > today:
            raise RuleViolation(f"the date the adviser was told, {long_date(informed)}, is in the future", "adviser_informed_on")
        # The LA can only say it cannot arrange mediation once it knows the family wants it.
        if self.la_notified_on is not None and informed < self.la_notified_on:
            raise RuleViolation(
                f"the adviser cannot have been told on {long_date(informed)} that mediation cannot be arranged: "
                f"the Local Authority was told the family wants mediation on {long_date(self.la_notified_on)}",
                "adviser_informed_on", earliest=self.la_notified_on,
            )

    def check_schedule_session(self, request: ScheduleSession, now: datetime) -> None:
        super().check_schedule_session(request, now)
        if not request.short_notice_agreed:
            _require_weekdays_notice(request.at, london_date(now), ("at",), SCHEDULE_REMEDY, unless="short_notice_agreed")

    def check_propose_slots(self, request: ProposeSlots, now: datetime) -> None:
        """Each proposed time must give the notice a session needs, as a booking must: the times are
        the ones the session will be booked at. No shorter notice is proposed; staff book one with
        the family's consent (`schedule_session`)."""
        super().check_propose_slots(request, now)
        for index, at in enumerate(request.slots):
            _require_weekdays_notice(at, london_date(now), ("slots", index), PROPOSAL_REMEDY, f"time {index + 1}: ")

    @staticmethod
    def check_notice(
        at: datetime, notice_due: date, today: date, field: tuple, *, proposed: bool = False,
    ) -> None:
        """The exact count, bank holidays included: notice of a session at `at` was due by
        `notice_due` (5 working days before, planned with the calendar); today is too late if after it."""
        if today <= notice_due:
            return
        if proposed:
            raise RuleViolation(
                f"time {field[-1] + 1}, {date_and_time(at)}, would give the family less than 5 working days' notice, not "
                f"counting weekends and bank holidays: notice was due by {long_date(notice_due)}; propose a later time",
                field,
            )
        raise RuleViolation(
            f"the family must have at least 5 working days' notice, not counting weekends and bank "
            f"holidays: for this date, notice was due by {long_date(notice_due)}; book a later date, "
            "or record that they consented to shorter notice",
            field, unless="short_notice_agreed",
        )

    def check_record_outcome(self, request: RecordOutcome, now: datetime) -> None:
        super().check_record_outcome(request, now)
        if request.child_views_sought is not None and self.opened.applicant.role is not ApplicantRole.parent:
            raise RuleViolation(
                "the child's views are sought only where a parent is the party (Children and Families Act 2014 "
                "s.56(1)(e)); here the young person is the party: leave it out",
                "child_views_sought",
            )

    def _check_actions(self, request: RecordOutcome) -> None:
        """Every action of a mediation agreement says its rule: nothing to refuse (reg 42)."""

    def check_withdraw(self, request: Withdraw) -> None:
        self._require_stage(Withdraw, doing="withdraw")
        if request.party != APPLICANT:
            raise RuleViolation(
                "only the family can withdraw from statutory mediation: the Local Authority cannot refuse it "
                "(Children and Families Act 2014 ss.53-54)",
                "party",
            )

    # --- What each action plans (the workflow plans these, then applies the action) ----------------

    def plan_choice(self, request: RecordChoice, now: datetime, today: date) -> list[DeadlineRequest]:
        """No: the certificate, 3 working days after the family told the adviser (reg 34). Yes: the
        session within 30 days after the LA is told (for health-only mediation, after the commissioning
        bodies get the LA's notice, sent now), and the notice to them when health is an issue."""
        if not request.mediate:
            return [DeadlineRequest(name=CERTIFICATE, now=now, start_day=request.adviser_told_on or today)]
        la_told = request.la_notified_on or today
        planned = [DeadlineRequest(name=MEDIATION_ARRANGEMENT, now=now, start_day=today if self.health_only else la_told)]
        issues = request.mediation_issues or self.issues
        # Owed whenever health is an issue; with no commissioner named the product cannot send it, so
        # it stays open, and chased, for the LA to give.
        if MediationIssue.health in issues:
            planned.append(DeadlineRequest(name=HEALTH_NOTICE, now=now, start_day=la_told))
        return planned

    def plan_certificate_on_withdrawal(self, now: datetime) -> list[DeadlineRequest]:
        """A family that stops, at any stage, is owed a certificate (reg 34, "does not wish to or
        fails to pursue mediation"), unless one was issued or is already owed."""
        if self.outcome is not None or self.certificates or self.certificate_reason is not None:
            return []
        return [DeadlineRequest(name=CERTIFICATE, now=now)]

    def plan_cannot_arrange(self, request: ReportCannotArrange, now: datetime, today: date) -> list[DeadlineRequest]:
        return [DeadlineRequest(name=CERTIFICATE, now=now, start_day=request.adviser_informed_on or today)]

    def plan_outcome(self, request: RecordOutcome, now: datetime) -> list[DeadlineRequest]:
        """Counted from the session, however late staff record it: each agreed action by its rule
        (reg 42), the certificate 3 working days after mediation concludes, and, where the LA was not
        a party, its notice of the agreement within 1 week (reg 42(4))."""
        assert self.session is not None
        concluded = self.session.at
        planned = []
        for number, action in enumerate(request.actions, start=1):
            days, _ = self._action_period(action)
            planned.append(DeadlineRequest(
                name=action_deadline(number), now=now, start=concluded, days=days, due=action.agreed_due,
            ))
        if not self.certificate_owed():  # an adviser's certificate still owed (cannot arrange) stands
            planned.append(DeadlineRequest(name=CERTIFICATE, now=now, start=concluded))
        if self.health_only and request.result is not SessionResult.no_agreement:
            planned.append(DeadlineRequest(name=AGREEMENT_NOTICE, now=now, start=concluded))
        return planned

    # --- Applying actions --------------------------------------------------------------------------

    def choice_until(self, today: date) -> date | None:
        """The last day the family can give its choice online: reg 33's 2 months after the decision
        notice was sent, by when the family tells the adviser whether they wish to pursue mediation
        (text read). A case opened after that (allowed, with a warning) asks until the appeal deadline
        instead, after which appealing needs the Tribunal's leave to extend time (HESC r.5(3)(a)); once
        both have passed nothing is asked online, and staff record the choice."""
        for until in (add_months(self.opened.decision_date, 2), self.view().appeal_deadline):
            if until is not None and until >= today:
                return until
        return None

    def announce_opening(self, at: datetime, today: date) -> list[Announcement]:
        until = self.choice_until(today)
        asked = {APPLICANT: {"asks": AnswerPurpose.mediation_choice, "answer_until": until}} if until else {}
        told = [Announcement(Template.mediation_opened, self.told_of_progress(), facts_for=asked)]
        if self.past_reg_33_window(today):
            appeal = self.deadline(APPEAL)
            passed = appeal is not None and appeal.due < today
            when = "" if appeal is None else f" ({long_date(appeal.due)})"
            warning = (
                "Opened more than 2 months after the decision notice (SEND Regulations 2014 reg 33). That is not the "
                f"appeal deadline{when}: "
                + (
                    "it has passed, so the family may ask the Tribunal to extend the time (HESC Rules 2008 r.5(3)(a))."
                    if passed else "it is still ahead."
                )
            )
            self.warn(WarningCode.late_opening, warning, at)
            told.append(Announcement(Template.late_opening, (CASE_OFFICER,), None, {"appeal_deadline_passed": passed}))
        return told + self.announce_school_age(at)

    def record_choice(self, request: RecordChoice, planned: list[PlannedDeadline], at: datetime, today: date) -> list[Announcement]:
        """The family's answer; `planned` is what `plan_choice` asked for. Everyone hears it; with a
        yes about health, each commissioning body gets the LA's notice of the issues and the health
        care provision sought (reg 32(e)), which meets the health notice duty once sent."""
        self.mediate = request.mediate
        self.adviser_told_on = request.adviser_told_on or today
        self.la_notified_on = request.la_notified_on or today
        if request.mediation_issues:
            self.issues = request.mediation_issues
        self.health_provision_sought = request.health_provision_sought
        self.supporter_attending = request.supporter_attending
        online = self._online(request.actor)
        applicant = self.party(APPLICANT)
        assert applicant is not None
        applicant.answered_online = bool(online)
        if not request.mediate:
            self.certificate_reason = CertificateReason.no_mediation
            self.stage = CaseStage.certificate_due
            self.record(
                at, request.actor, "mediation_declined",
                f"The family told the mediation adviser on {long_date(self.adviser_told_on)} that they do not want mediation"
                f"{online}",
            )
        else:
            self.stage = CaseStage.arranging_session
            self.record(
                at, request.actor, "mediation_chosen",
                f"Local Authority told on {long_date(self.la_notified_on)}; issues: {issues_words(self.issues)}"
                + ("; health care provision sought recorded" if self.health_provision_sought else "")
                + ("; a supporter will attend" if self.supporter_attending else "") + online,
            )
        for deadline in planned:
            self.set_deadline(deadline)
        said = self._told_online(request.actor, applicant, "chose mediation" if request.mediate else "chose not to mediate")
        if not request.mediate:
            return [Announcement(Template.mediation_declined, self.told_of_progress(), None, {"due": planned[0].due})] + said
        told = [Announcement(Template.mediation_chosen, self.told_of_progress(), None, {"due": planned[0].due})] + said
        if self.deadline(HEALTH_NOTICE) is not None:
            notice = self.deadline(HEALTH_NOTICE)
            told.append(Announcement(
                Template.health_notice, tuple(party.id for party in self.commissioners()), None, {"due": notice.due}
            ))
        return told

    def notice_delivered(self, template: str, at: datetime) -> None:
        """A notice the law asks for has gone to every one of its recipients: that meets its duty
        (the health notice, reg 32(e); the LA's notice of the agreement, reg 42(4))."""
        duty = {Template.health_notice.value: HEALTH_NOTICE, Template.agreement_notice.value: AGREEMENT_NOTICE}.get(template)
        deadline = self.deadline(duty) if duty else None
        if deadline is None or not deadline.owed:
            return
        records = [record for record in self.notifications if record.template == template]
        if any(record.status is not DeliveryStatus.sent for record in records):
            return
        self.record(at, SYSTEM, f"{template}_sent", f"{template_words(template)} sent to {counted(len(records), 'recipient')}")
        self._settle(duty)
        self._close_once_nothing_owed(at, SYSTEM)

    def issue_certificate(
        self, request: IssueCertificate, appeal: AppealPlan | None, at: datetime, today: date,
    ) -> list[Announcement]:
        """The certificate is issued; `appeal` is the clock worked out again with it (only for the
        first certificate, `certificate_moves_appeal`). A later one is recorded and the officer told."""
        assert self.certificate_reason is not None
        first = self.certificate
        issued = CertificateView(issued_on=request.issued_on or today, reason=self.certificate_reason, issued_by=self._issuer())
        self.certificates.append(issued)
        self.certificate_reason = None
        self.record(
            at, request.actor, "certificate_issued",
            f"{CERTIFICATE_REASON_WORDS[issued.reason]}; dated {long_date(issued.issued_on)}; issued by "
            f"{CERTIFICATE_ISSUER_WORDS[issued.issued_by].lower()}",
        )
        self._settle(CERTIFICATE, on=issued.issued_on)  # met by its issue, on its date, however late recorded
        told = [Announcement(
            Template.certificate_issued, (*self.told_of_progress(), MEDIATOR), f"certificate_issued-{issued.issued_on:%Y%m%d}"
        )]
        if appeal is not None:
            self.set_appeal(appeal, at)
        elif first is not None:
            warning = (
                f"A later certificate, dated {long_date(issued.issued_on)}, was issued: the appeal deadline stays as "
                f"the first certificate ({long_date(first.issued_on)}) fixed it. Whether a later certificate "
                "restarts the month is unsettled; the family should not rely on a later date."
            )
            self.warn(WarningCode.later_certificate, warning, at)
            told.append(Announcement(
                Template.later_certificate, (CASE_OFFICER,), f"later_certificate-{issued.issued_on:%Y%m%d}",
            ))
        if self.stage is CaseStage.certificate_due and self.outcome is None:  # after a "no", the certificate ends it
            self.close(CaseOutcome.certificate_only, at, request.actor)
        else:
            self._close_once_nothing_owed(at, request.actor)
        if self.is_closed and not self.closure_announced:
            told.append(self.closure())
        return told

    def report_cannot_arrange(self, request: ReportCannotArrange, planned: list[PlannedDeadline], at: datetime) -> list[Announcement]:
        self.cannot_arrange = True
        self.certificate_reason = CertificateReason.not_arranged
        self.record(at, request.actor, "cannot_arrange", request.reason)
        [certificate] = planned
        self.set_deadline(certificate)
        return [Announcement(
            Template.cannot_arrange, (*self.party_ids(), MEDIATOR), None, {"due": certificate.due, "reason": request.reason}
        )]

    def record_outcome(self, request: RecordOutcome, planned: list[PlannedDeadline], at: datetime) -> list[Announcement]:
        """Mediation has concluded (`planned` as `plan_outcome` asked): the mediator's certificate is
        due whatever the result, agreed actions are followed up beside it, and where the LA was not a
        party it is told of the agreement."""
        self.result = request.result
        views = {True: "; the child's views were sought", False: "; the child's views were not sought", None: ""}
        self.record(at, request.actor, "outcome_recorded", f"{outcome_words(request)}{views[request.child_views_sought]}")
        self._session_held()
        actions = planned[:len(request.actions)]
        self._agree_actions(request, [deadline.due for deadline in actions])
        if any(deadline.name == CERTIFICATE for deadline in planned):
            self.certificate_reason = CertificateReason.mediation_concluded
        else:
            self.record(
                at, SYSTEM, "certificate_still_owed",
                "the mediation adviser's certificate owed since mediation could not be arranged is still due; it "
                "stands for the one after mediation",
            )
        for deadline in planned:
            self.set_deadline(deadline)
        if self.actions:
            self.stage = CaseStage.monitoring_agreement
        else:
            self.close(CaseOutcome(request.result.value), at, request.actor)
        told = self.announce_outcome()
        if self.deadline(AGREEMENT_NOTICE) is not None:
            told.append(Announcement(
                Template.agreement_notice, (LOCAL_AUTHORITY_NOT_A_PARTY,), None,
                {"actions": [self.action_facts(action.number) for action in self.actions], "result": request.result},
            ))
        return told

    def withdraw(self, request: Withdraw, planned: list[PlannedDeadline], at: datetime) -> list[Announcement]:
        """The family stops. A certificate is owed however far they got (reg 34: "does not wish to or
        fails to pursue mediation"), unless one was already issued or is owed. After the LA reported
        it could not arrange mediation, the family not going on is the outcome `not_arranged`."""
        self.record(at, request.actor, "withdrawn", f"the family withdrew: {request.reason}")
        if planned:
            self.certificate_reason = CertificateReason.not_pursued
            for deadline in planned:
                self.set_deadline(deadline)
        self.close(CaseOutcome.not_arranged if self.cannot_arrange else CaseOutcome.withdrawn, at, request.actor)
        return [self.closure(party_name=self.opened.applicant.name, resolution_started=self.mediate is True)]

    def withdrawn_by_service(self, planned: list[PlannedDeadline], at: datetime) -> list[Announcement]:
        """The service withdraws the case. The family did not stop it themselves: mediation will not
        take place, so the adviser's certificate is still owed to them."""
        if planned:
            self.certificate_reason = CertificateReason.not_arranged if self.mediate else CertificateReason.not_pursued
            for deadline in planned:
                self.set_deadline(deadline)
        return self._close_for_service(at, resolution_started=self.mediate is True)


# The 5 working days' notice of the date and place of mediation, unless the family consents to less
# (SEND Code of Practice chapter 11, restating the regulations), and what to do about it.
SCHEDULE_REMEDY = "book a later date, or record that they consented to shorter notice"
PROPOSAL_REMEDY = "propose a later time"


def _require_weekdays_notice(at: datetime, today: date, field: tuple, remedy: str, prefix: str = "", unless: str | None = None) -> None:
    """Weekends alone, never stricter than the exact count with bank holidays made when the session
    is planned (`Mediation.check_notice`: due 5 working days before the session day, today counting)."""
    if _weekdays_from(today, london_date(at)) < SESSION_NOTICE_WORKING_DAYS:
        raise RuleViolation(
            f"{prefix}the family must have at least 5 working days' notice of the date and place of mediation, unless "
            f"they consent to shorter notice: {remedy}. {{earliest}}, a working day later for each bank holiday before it",
            field, earliest=_earliest_with_notice(today), unless=unless,
        )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _earliest_with_notice(today: date) -> date:
    """The first day with 5 weekdays' notice counted as `check_schedule_session` counts them (today
    counting). A bank holiday in between moves it on, which the message says."""
    day = today
    while _weekdays_from(today, day) < SESSION_NOTICE_WORKING_DAYS:
        day = date.fromordinal(day.toordinal() + 1)
    return day


def _weekdays_from(start: date, end: date) -> int:
    """Monday-to-Friday days from `start` up to the day before `end`."""
    return sum(1 for offset in range((end - start).days) if date.fromordinal(start.toordinal() + offset).weekday() < 5)
