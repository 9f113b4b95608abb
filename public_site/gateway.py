"""How the public site reaches the cases: the `case` query and the updates a party may send
(`workflows.names.PUBLIC_UPDATES`), nothing else, each sent as the party (`party:<id>`) with an
assertion signed by the site's own key (`DISAGREEMENT_PUBLIC_SITE_KEY_FILE`; infra/vouching.py
`public_site_assertion`), which the worker checks (workflows/verification.py). It connects with its
own profile of connection settings (`DISAGREEMENT_PUBLIC_TEMPORAL_PROFILE`), so production can give it
a service identity of its own, allowed these calls only (docs/operating.md). With a tracer, its calls
are traced under the site's request (web/serving.py, `RequestTelemetry`): one answer, one trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio.client import Client

from cases.client import CaseService
from domain.models import CaseView, StaffAction, acting_party
from infra.identity import Staff, acting_as
from infra.vouching import public_site_key_for
from public_site.settings import PublicSettings
from workflows.names import PUBLIC_UPDATES

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


class PublicCases:
    def __init__(self, settings: PublicSettings, client: Client | None = None, tracer: Tracer | None = None) -> None:
        self._service = CaseService(
            settings, client, public_site_key=public_site_key_for(settings), profile=settings.public_temporal_profile,
            tracer=tracer,
        )

    async def view(self, reference: str) -> CaseView:
        return await (await self._service.cases()).view(reference)

    async def answer(self, reference: str, update: str, request: StaffAction) -> CaseView:
        """One of the public updates, sent as the party whose answer it is (its actor, `party:<id>`)."""
        if update not in PUBLIC_UPDATES or acting_party(request.actor) is None:
            raise ValueError(f"the public site sends only a party's own answers, not {update}")
        acting_as(Staff(request.actor))
        return await (await self._service.cases()).act(reference, update, request)
