"""Duties (DESIGN section 11): every deadline of a case is a duty someone owes under a named rule.

A duty is met only by the act the rule names (a certificate issued, a notice with the content the
law requires sent, a session held, an action done), recorded by staff or by the product itself,
never by a message about it. This module says who owes each duty and which rule sets it; the case
files (`domain.case`, `domain.mediation`) say which act settles it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from domain.appeal import add_months
from domain.models import CertificateReason, OrderKind

# Who owes a duty, besides a party id ("applicant", "org-1", ...).
LOCAL_AUTHORITY = "local_authority"
MEDIATION_ADVISER = "mediation_adviser"
MEDIATOR = "mediator"
HEALTH_COMMISSIONER = "health_commissioner"
CASE_OFFICER = "case_officer"
# The duties' names, as the case view shows its deadlines (DESIGN section 3). Here, below the
# deadline planning, so that words and lists can name duties without loading it.
TALKS_REVIEW = "talks_review"
CONSENT_WINDOW = "consent_window"
SESSION_ARRANGEMENT = "session_arrangement"
OUTCOME_RECORD = "outcome_record"
WRITTEN_OUTCOME = "written_outcome"
APPEAL = "appeal"
CERTIFICATE = "certificate"
HEALTH_NOTICE = "health_notice"
MEDIATION_ARRANGEMENT = "mediation_arrangement"
AGREEMENT_NOTICE = "agreement_notice"
# Numbered duties, one deadline each: agreed actions (`action-N`) and call-backs a party asked for
# online (`callback-N`, DESIGN section 14, the case officer's to meet); each counted as one kind.
ACTION_PREFIX, CALLBACK_PREFIX = "action-", "callback-"
ACTION_KIND, CALLBACK_KIND = "action", "callback"


class Duty(NamedTuple):
    owed_by: str
    source: str


def duty_kind(name: str) -> str:
    """The kind of duty a deadline is, for counting duties together: every agreed action (`action-2`)
    is an `action`, every call-back (`callback-1`) a `callback`; any other deadline is its own kind."""
    if name.startswith(ACTION_PREFIX):
        return ACTION_KIND
    return CALLBACK_KIND if name.startswith(CALLBACK_PREFIX) else name


# Disagreement resolution: the service's own defaults (DOMAIN.md, "Defaults for disagreement
# resolution"), which the case officer sees through.
DR_DUTIES = {
    TALKS_REVIEW: Duty(CASE_OFFICER, "[policy] 15 working days after opening or the last talk (SEND Code 11.3: as soon as possible)"),
    CONSENT_WINDOW: Duty(CASE_OFFICER, "[policy] 10 working days after the offer; silence is not consent (SEND Code 11.6)"),
    SESSION_ARRANGEMENT: Duty(CASE_OFFICER, "[policy] session held within 30 days after the last consent"),
    OUTCOME_RECORD: Duty(CASE_OFFICER, "[policy] 2 working days after the session"),
    WRITTEN_OUTCOME: Duty(CASE_OFFICER, "[policy] 5 working days after the session"),
}
# Both routes: a party asked to be called back (DESIGN section 14). A service standard, not law.
CALLBACK = Duty(CASE_OFFICER, "[policy] call back within 2 working days of the request (a service standard, not law)")
DR_ACTION_SOURCE = "[policy] agreed at the session, or 2 weeks (modelled on SEND Regs 2014 reg 42(3))"
# The family's own clock: not owed to anyone, but shown beside the duties.
APPEAL_DUTY = Duty("applicant", "HESC Rules 2008 r.20(1)(c), moved by r.12")

# Statutory mediation (CFA 2014 ss.52-56; SEND Regs 2014 Part 2, "Mediation", regs 32-42). Periods
# marked "(check)" come from the SEND Code and IPSEA, not from the regulation text (docs/process-and-law.md).
CERTIFICATE_DUTIES = {
    CertificateReason.no_mediation: Duty(
        MEDIATION_ADVISER, "SEND Regs 2014 reg 34; CFA 2014 s.55(4): 3 working days after the family tells the adviser"
    ),
    CertificateReason.not_pursued: Duty(
        MEDIATION_ADVISER, "SEND Regs 2014 reg 34 (fails to pursue mediation); CFA 2014 s.55(4): 3 working days"
    ),
    CertificateReason.not_arranged: Duty(
        MEDIATION_ADVISER, "CFA 2014 s.55(4); SEND Regs 2014 regs 32-42 (check): 3 working days after the LA tells the adviser"
    ),
    CertificateReason.mediation_concluded: Duty(
        MEDIATOR, "CFA 2014 s.55(5); SEND Regs 2014 regs 32-42 (check): 3 working days after mediation concludes"
    ),
}
HEALTH_NOTICE_DUTY = Duty(
    LOCAL_AUTHORITY,
    "SEND Regs 2014 reg 32(e) (the issues and health care provision sought); 3 working days after the LA is told (check)",
)
ARRANGEMENT_BY_LA = Duty(LOCAL_AUTHORITY, "CFA 2014 ss.53-54; SEND Regs 2014 regs 32-42 (check): mediation held within 30 days")
ARRANGEMENT_BY_COMMISSIONER = Duty(
    HEALTH_COMMISSIONER,
    "CFA 2014 s.54; SEND Regs 2014 regs 32-42 (check): health-only mediation held within 30 days of the LA's notice",
)
AGREEMENT_NOTICE_DUTY = Duty(HEALTH_COMMISSIONER, "SEND Regs 2014 reg 42(4): the LA told of the agreement within 1 week")

# Agreed actions after statutory mediation (reg 42, text read): an appealable matter in the reg 44(2)
# period, as if the agreement were a Tribunal order (42(2)); anything else within 2 weeks (42(3)); a
# timescale agreed in writing replaces either (42(5)). Calendar days from the date of the agreement.
# Reg 44(2)(a)-(c) read in a reproduction of the text; the other letters from the Tribunal's guidance
# ("Carry out an order in special educational needs cases") and IPSEA, hence "(check)".
REG_44_PERIODS: dict[OrderKind, tuple[int, str]] = {
    OrderKind.assess: (14, "SEND Regs 2014 reg 42(2), reg 44(2)(b): tell the family within 2 weeks that it will assess"),
    OrderKind.reassess: (14, "SEND Regs 2014 reg 42(2), reg 44(2)(b): tell the family within 2 weeks that it will reassess"),
    OrderKind.issue_plan: (35, "SEND Regs 2014 reg 42(2), reg 44(2)(c): a draft plan within 5 weeks (the final plan within 11)"),
    OrderKind.amend_plan: (35, "SEND Regs 2014 reg 42(2), reg 44(2) (check): amend the plan within 5 weeks"),
    OrderKind.name_school: (14, "SEND Regs 2014 reg 42(2), reg 44(2) (check): name the school within 2 weeks"),
    OrderKind.continue_plan: (0, "SEND Regs 2014 reg 42(2), reg 44(2) (check): continue to maintain the plan at once"),
    OrderKind.cease_plan: (0, "SEND Regs 2014 reg 42(2), reg 44(2)(a): cease to maintain the plan at once"),
}
OTHER_AGREEMENT = (14, "SEND Regs 2014 reg 42(3): within 2 weeks of the agreement")
AGREED_IN_WRITING = "SEND Regs 2014 reg 42(5): a timescale agreed in writing"


def school_age_ends(born: date) -> date:
    """The end of compulsory school age: the last Friday in June of the school year (September to
    August) in which the child turns 16 (Education Act 1996 s.8(3), (4), check; rights pass to the
    young person then, CFA 2014 s.83(2)). A birthday in July or August still falls in the school
    year that ends that summer, so the date can come a few weeks before the 16th birthday."""
    sixteen = add_months(born, 16 * 12)
    year = sixteen.year + 1 if sixteen.month >= 9 else sixteen.year
    last_of_june = date(year, 6, 30)
    return last_of_june - timedelta(days=(last_of_june.weekday() - 4) % 7)
