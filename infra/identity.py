"""Who acts, and what they may do (DESIGN section 12).

Four roles. A case officer runs cases; a team manager can do all a case officer can, and also
moves a case to another officer; a records officer holds, releases, exports and erases records
(erasure needs a second records officer to approve it); an administrator looks after settings and
schedules. Any of them may read a case.

Roles come from the council's identity provider, in one claim of its tokens
(`DISAGREEMENT_OIDC_ROLES_CLAIM`), whose values are mapped to ours by `DISAGREEMENT_ROLE_<ROLE>`
(e.g. `DISAGREEMENT_ROLE_RECORDS_OFFICER=SEND-Records,Information-Governance`). In development the
console's sign-in and the CLI's `--role` say them, unverified.

Plain Python: the command line, the console, the codec server and the worker's update check (inside
the workflow sandbox) all read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    case_officer = "case_officer"
    team_manager = "team_manager"
    records_officer = "records_officer"
    administrator = "administrator"


class Act(StrEnum):
    """What a member of staff may be allowed to do, beyond reading."""

    case_work = "case_work"  # open a case, and every staff action on it
    reassign = "reassign"  # move a case to another case officer
    records = "records"  # hold, release, export, erase, approve an erasure
    reports = "reports"  # the service's figures (issue 21)
    team_view = "team_view"  # every officer's duties at once (DESIGN section 13: `?team=1`, `due --team`)


# DESIGN section 12: a team manager "also" reassigns, so does all a case officer does.
ALLOWED: Mapping[Act, tuple[Role, ...]] = {
    Act.case_work: (Role.case_officer, Role.team_manager),
    Act.reassign: (Role.team_manager,),
    Act.records: (Role.records_officer,),
    Act.reports: (Role.team_manager,),
    Act.team_view: (Role.team_manager,),
}


class NotAllowed(Exception):
    """Signed in, but without the role an act needs; the message says which, in words."""


@dataclass(frozen=True)
class Staff:
    """A member of staff as far as this product knows them: a staff id, roles, and whether the
    identity provider (or the console's key) vouched for them, or they only said so (development)."""

    id: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    verified: bool = False
    # The identity provider's token that vouches for them (the CLI after `disagreement login`), sent
    # with each update for the worker to check; the console signs with its own key instead.
    token: str | None = field(default=None, repr=False, compare=False)

    def may(self, act: Act) -> bool:
        return any(role in self.roles for role in ALLOWED[act])

    def needs(self, act: Act) -> None:
        """Raises NotAllowed unless one of their roles allows the act."""
        if not self.may(act):
            raise NotAllowed(refusal(act))


# Who the current staff command or console request acts as: every workflow update it sends carries
# them in a signed header (infra/vouching.py). A context variable, so that concurrent console
# requests never see each other's, and nothing can send an update without saying who.
_acting: ContextVar[Staff | None] = ContextVar("acting_staff", default=None)


def acting_as(staff: Staff | None) -> None:
    """From here on, in this context (a command, a request), act as this member of staff (None: nobody)."""
    _acting.set(staff)


def acting() -> Staff | None:
    return _acting.get()


def refusal(act: Act) -> str:
    roles = " or ".join(role.value for role in ALLOWED[act])
    return f"not allowed: needs the {roles} role"


def roles_named(names: Iterable[str]) -> frozenset[Role]:
    """Our own role names (the development sign-in and `--role`); unknown names are ignored."""
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)


def roles_from_claims(claims: Mapping[str, object], claim: str, mapping: Mapping[Role, Iterable[str]]) -> frozenset[Role]:
    """The roles a token's claims give: each value of the claim mapped to the roles whose setting
    lists it."""
    values = claim_values(claims, claim)
    return frozenset(role for role, accepted in mapping.items() if values & set(accepted))


def claim_values(claims: Mapping[str, object], claim: str) -> set[str]:
    """A roles claim's values: a list of names, or one string of space-separated names. A claim not
    found by its whole name is looked for by a dotted path (Keycloak's `realm_access.roles`)."""
    value: object = claims.get(claim)
    if value is None and "." in claim:
        value = claims
        for part in claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()
