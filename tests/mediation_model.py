"""A reference model of DESIGN section 8 (statutory mediation, `MediationCase`), written from DESIGN
section 8 and DOMAIN alone and kept deliberately simple, for model-based tests like those of section 3.

It extends the section 3 model (tests/case_model.py): mediator, session, outcome, agreed actions and
notes follow the same rules; what differs is the family's choice, the certificate, the Local
Authority's report that it cannot arrange mediation, who may withdraw, the notice a session needs,
and the appeal clock that outlives the case.
"""

from __future__ import annotations

import calendar as month_lengths
from dataclasses import dataclass
from datetime import date, timedelta

from domain.calendar import WorkingCalendar, london_date
from domain.models import AppealStatus, CaseOutcome, CaseStage, CertificateReason
from tests.case_model import ReferenceCase, StaffStep

WORKING_DAYS = WorkingCalendar()
LA_PARTIES = ("applicant", "org-1")  # the family and the Local Authority
WITH_HEALTH = (*LA_PARTIES, "org-2")  # and a health commissioner
# The family is told the date and place at least 5 working days before, unless they consent to less
# (SEND Code of Practice 2015, chapter 11, restating the regulations; DOMAIN timescales).
NOTICE_WORKING_DAYS = 5


def months_later(day: date, months: int) -> date:
    """The corresponding date, or the month's last day (DOMAIN: 31 Dec + 2 months = 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, month_lengths.monthrange(year, month + 1)[1]))


def tribunal_day(day: date) -> date:
    """HESC Rules 2008 r.12: 25 Dec-1 Jan or August moves to the first working day after 1 Jan / 31 Aug
    (r.12(3)(a)); any other non-working day to the next working day (r.12(2))."""
    if day.month == 8:
        day = date(day.year, 8, 31)
    elif (day.month, day.day) >= (12, 25):
        day = date(day.year + 1, 1, 1)
    elif (day.month, day.day) == (1, 1):
        pass
    elif WORKING_DAYS.is_working_day(day):
        return day
    return WORKING_DAYS.add_working_days(day, 1)


@dataclass
class ReferenceMediation(ReferenceCase):
    decision_date: date = date(2026, 11, 2)
    school_only: bool = False
    stage: CaseStage = CaseStage.advice
    mediate: bool | None = None
    la_told: date | None = None  # when the LA was told the family wants mediation
    cannot_arrange: bool = False
    owed: CertificateReason | None = None  # a certificate the adviser must now issue, and why
    certificate: tuple[date, CertificateReason] | None = None
    appeal_status: AppealStatus | None = None
    appeal_deadline: date | None = None

    def __post_init__(self) -> None:
        self.appeal_deadline = self.reckon_appeal()

    @property
    def today(self) -> date:
        return london_date(self.now)

    def reckon_appeal(self) -> date:
        """The later of decision + 2 months and certificate + 1 month (HESC r.20(1)(c)), moved by r.12;
        no certificate part for a school_only appeal, which needs none (DESIGN section 8)."""
        end = months_later(self.decision_date, 2)
        if self.certificate is not None and not self.school_only:
            end = max(end, months_later(self.certificate[0], 1))
        return tribunal_day(end)

    def _given_day_fits(self, step: StaffStep, earliest: date | None = None) -> bool:
        """A date staff give is a fact: not in the future, nor before the event it follows (the decision)."""
        day = step.given_day(self.now) or self.today
        return (earliest or self.decision_date) <= day <= self.today

    def _after_closure(self, step: StaffStep) -> bool:
        # The family's clocks outlive the case: the certificate still owed, and the appeal status.
        if step.action in ("issue_certificate", "record_appeal_status"):
            return getattr(self, f"_{step.action}")(step)
        return False

    def _record_choice(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.advice or self.mediate is not None or not self._given_day_fits(step):
            return False
        self.mediate = step.flag
        self.la_told = step.given_day(self.now) or self.today
        if step.flag:
            self.stage = CaseStage.arranging_session  # the LA cannot decline: no consent stage
        else:
            self.owed = CertificateReason.no_mediation  # reg 34: 3 working days after the family says no
        self.timeline += 1
        return True

    def _issue_certificate(self, step: StaffStep) -> bool:
        if self.owed is None or not self._given_day_fits(step):
            return False
        self.certificate = (step.given_day(self.now) or self.today, self.owed)
        self.owed = None
        if self.appeal_status is None:  # once an appeal is lodged (or not pursued), its clock has stopped
            self.appeal_deadline = self.reckon_appeal()
        self.timeline += 1
        if self.stage is CaseStage.advice:  # after a "no", issuing it closes the case
            self._close(CaseOutcome.certificate_only)
        return True

    def _report_cannot_arrange(self, step: StaffStep) -> bool:
        # The LA can only tell the adviser it cannot arrange what it was asked to arrange.
        if self.stage is not CaseStage.arranging_session or self.cannot_arrange or not self._given_day_fits(step, self.la_told):
            return False
        self.cannot_arrange = True
        self.owed = CertificateReason.not_arranged  # the case stays open: mediation may still take place
        self.timeline += 1
        return True

    def _schedule_session(self, step: StaffStep) -> bool:
        at = self.now + timedelta(hours=step.hours)
        notice_by = WORKING_DAYS.add_working_days(london_date(at), -NOTICE_WORKING_DAYS)
        if self._session_fits(at) and not step.short_notice and self.today > notice_by:
            return False
        return super()._schedule_session(step)

    def _record_outcome(self, step: StaffStep) -> bool:
        if not super()._record_outcome(step):
            return False
        self.owed = CertificateReason.mediation_concluded  # 3 working days after the mediation concludes
        return True

    def _withdraw(self, step: StaffStep) -> bool:
        if step.party != "applicant":
            return False  # the LA (or a commissioner) cannot decline statutory mediation
        if self.mediate and self.certificate is None and self.owed is None:
            self.owed = CertificateReason.not_pursued  # reg 34: chose mediation, then did not pursue it
        self.timeline += 1
        self._close(CaseOutcome.not_arranged if self.cannot_arrange else CaseOutcome.withdrawn)
        return True

    def _record_appeal_status(self, step: StaffStep) -> bool:
        if self.appeal_status is not None:
            return False
        self.appeal_status = step.status
        self.timeline += 1
        return True
