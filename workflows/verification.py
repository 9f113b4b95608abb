"""The worker's check of who sends each update (DESIGN section 12), as a workflow interceptor.

Before an update is accepted (its validator, so a refusal never reaches history), the actor
assertion in its header (infra/vouching.py) must vouch for the actor the update names, with a role
allowed to do it, for this case and this action, and not be expired by the workflow's clock. A key
rotated later never breaks an old history: validators do not run on replay.

The handler then knows whom the header vouched for, on first run and on replay alike (the header is
in history): the workflow marks the timeline entries by that actor as verified. In development
(`DISAGREEMENT_ACTOR_VERIFICATION=development`) every update is accepted, its actor unverified, and
roles the CLI or console claim are still checked, so a slip shows before production.

A case's opening (a workflow start, no validator) is checked the same way against the start's own
time: an opening no one vouched for is recorded as unverified, never refused.

A party answering online (DESIGN section 14) is the actor `party:<id>`, vouched for by the public
site's key alone, and only for the updates a party may send (`names.PUBLIC_UPDATES`), each for the
party itself (the case's rules check whom it answers for). Nothing else from that signer is
accepted, and a party actor from the console or the CLI is refused: staff record an answer as
themselves. Development takes a party's word, unverified, as it takes staff's, with the same limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from domain.models import acting_party
from infra.identity import Act, NotAllowed
from infra.vouching import HEADER, OPENING, AssertionRefused, Verifier, Vouched
from workflows import names

UPDATE_ACTS: Mapping[str, Act] = {names.REASSIGN_OFFICER: Act.reassign}  # every other update: case work

UNREADABLE = "unreadable"  # a header that is not a JWT: refused as one, in words

# Whom the current update's (or opening's) header vouched for: set by the interceptor around the
# handler, read by the workflow (`vouched_for`). Each update runs in its own task, with its own value.
_vouched: ContextVar[str | None] = ContextVar("vouched_actor", default=None)


def vouched_for() -> str | None:
    """The staff id a trusted signer vouched for in the current update or opening, if any."""
    return _vouched.get()


class ActorVerification(Interceptor):
    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        verifier = self.verifier

        class Inbound(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                actor = getattr(input.args[0], "opened_by", None) if input.args else None
                try:
                    vouched = _check(verifier, input.headers, OPENING, actor, workflow.info().start_time)
                except ApplicationError:
                    vouched = None  # recorded as unverified: a start cannot be refused
                _vouched.set(vouched.staff.id if vouched and vouched.staff.verified else None)
                return await super().execute_workflow(input)

            def handle_update_validator(self, input: HandleUpdateInput) -> None:
                vouched = _check(verifier, input.headers, input.update, _actor(input), workflow.now())
                if vouched is not None and not vouched.by_public_site:
                    try:
                        vouched.staff.needs(UPDATE_ACTS.get(input.update, Act.case_work))
                    except NotAllowed as refusal:
                        raise ApplicationError(str(refusal), type=names.NOT_ALLOWED, non_retryable=True) from None
                super().handle_update_validator(input)

            async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
                # Validated already (or replaying): an assertion present in required mode vouched.
                vouched = verifier.required and bool(_token(input.headers))
                _vouched.set(_actor(input) if vouched else None)
                return await super().handle_update_handler(input)

        return Inbound


def _check(verifier: Verifier, headers: Mapping[str, Payload], action: str, actor: str | None, now: datetime) -> Vouched | None:
    try:
        vouched = verifier.check(_token(headers), case=workflow.info().workflow_id, update=action, now=now)
    except AssertionRefused as refusal:
        raise ApplicationError(f"not accepted: {refusal}", type=names.ACTOR_NOT_VOUCHED, non_retryable=True) from None
    if vouched is None:
        return None
    if vouched.by_public_site != (acting_party(vouched.staff.id) is not None):
        raise ApplicationError(
            "not accepted: the public site vouches only for a party answering for itself"
            if vouched.by_public_site else
            "not accepted: a party answers for itself only through the public site; staff record an answer as themselves",
            type=names.ACTOR_NOT_VOUCHED, non_retryable=True,
        )
    if vouched.by_public_site:
        _party_may(action)
    if actor is not None and vouched.staff.id != actor:
        raise ApplicationError(
            "not accepted: the answer names a different party from the one whose link it came from"
            if vouched.by_public_site else
            "not accepted: the action names a different member of staff from the one signed in",
            type=names.ACTOR_NOT_VOUCHED, non_retryable=True,
        )
    return vouched


def _party_may(update: str) -> None:
    """The public site runs a party's own answers, nothing else."""
    if update not in names.PUBLIC_UPDATES:
        raise ApplicationError(
            "not allowed: through the public site a party may only give its consent, its choice about mediation, the "
            "session times it can make, or ask to be called back",
            type=names.NOT_ALLOWED, non_retryable=True,
        )


def _token(headers: Mapping[str, Payload]) -> str | None:
    payload = headers.get(HEADER)
    if payload is None:
        return None
    try:
        token = workflow.payload_converter().from_payload(payload, str)
    except Exception:  # a header not as our clients write it: no assertion, never a failed task
        return UNREADABLE
    return token if isinstance(token, str) else UNREADABLE


def _actor(input: HandleUpdateInput) -> str | None:
    return getattr(input.args[0], "actor", None) if input.args else None
