"""Who owes each duty, and the end of compulsory school age, worked out by hand (domain/duties.py).

The end of compulsory school age is the last Friday in June of the school year (1 September to
31 August) in which the child turns 16 (Education Act 1996 s.8(3), (4), check; rights pass to the
young person then, CFA 2014 s.83(2)). A child whose 16th birthday falls in July or August leaves on
the June before it.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain import duties
from domain.duties import REG_44_PERIODS, school_age_ends
from domain.models import CertificateReason, OrderKind


@pytest.mark.parametrize(("born", "ends"), [
    # Turns 16 on Wed 15 Jul 2026: school year 2025-26; Tue 30 Jun 2026 -> Fri 26 Jun.
    (date(2010, 7, 15), date(2026, 6, 26)),
    # Turns 16 on Mon 31 Aug 2026, the school year's last day: still 2025-26, Fri 26 Jun 2026.
    (date(2010, 8, 31), date(2026, 6, 26)),
    # Turns 16 on Tue 1 Sep 2026, the first day of 2026-27: Wed 30 Jun 2027 -> Fri 25 Jun 2027.
    (date(2010, 9, 1), date(2027, 6, 25)),
    # Turns 16 on Fri 25 Dec 2026: 2026-27, Fri 25 Jun 2027.
    (date(2010, 12, 25), date(2027, 6, 25)),
    # Born 29 Feb 2012: 16 on Tue 29 Feb 2028 (a leap year); school year 2027-28; Fri 30 Jun 2028.
    (date(2012, 2, 29), date(2028, 6, 30)),
])
def test_compulsory_school_age_ends_on_the_last_friday_in_june_of_the_year_they_turn_16(born: date, ends: date) -> None:
    assert school_age_ends(born) == ends
    assert ends.weekday() == 4


def test_the_certificate_is_owed_by_the_mediator_only_after_mediation() -> None:
    owed_by = {reason: duties.CERTIFICATE_DUTIES[reason].owed_by for reason in CertificateReason}
    assert owed_by == {
        CertificateReason.no_mediation: "mediation_adviser", CertificateReason.not_pursued: "mediation_adviser",
        CertificateReason.not_arranged: "mediation_adviser", CertificateReason.mediation_concluded: "mediator",
    }
    assert "s.55(5)" in duties.CERTIFICATE_DUTIES[CertificateReason.mediation_concluded].source
    assert "reg 34" in duties.CERTIFICATE_DUTIES[CertificateReason.no_mediation].source


def test_every_kind_of_order_has_its_reg_44_period_in_calendar_days() -> None:
    """Reg 44(2): assess or reassess, 2 weeks; a plan, 5 weeks to the draft; amend, 5 weeks; name a
    school, 2 weeks; continue or cease to maintain, at once."""
    assert {kind: days for kind, (days, _) in REG_44_PERIODS.items()} == {
        OrderKind.assess: 14, OrderKind.reassess: 14, OrderKind.issue_plan: 35, OrderKind.amend_plan: 35,
        OrderKind.name_school: 14, OrderKind.continue_plan: 0, OrderKind.cease_plan: 0,
    }
    assert all(source.startswith("SEND Regs 2014 reg 42(2), reg 44(2)") for _, source in REG_44_PERIODS.values())
