"""What a family waits for on the public site (DESIGN section 14): the pages behind the link in a
message, served by uvicorn and fetched over loopback, for a real case on the dev server and a worker.

One disagreement resolution case is opened and offered (so the family's link asks for its consent);
a link is minted for the applicant as the notification activity mints it (records/answer_links.py),
with the phone check. Measured, each the median of `runs`, in rounds (each contender once a round):
- `GET /<token>`: the identity check page, from a browser that has not passed it (the link looked
  up, the rate limits counted in the records database, the page rendered);
- `POST /<token>`: the right answer (the link looked up again, the answer compared, a cookie set),
  answered with a redirect to the case;
- `GET /<token>/case`: the case in words, with the check's cookie (the link, the limits, the `case`
  query, the page rendered);
- the three in a row, as a family first meets the site;
- and beside them, the console's own case page (`GET /cases/<ref>`, signed in as the officer).
The baseline: the `case` query of the same case, made directly with the client. A note gives the
link's look-up alone (`AnswerLinks.find`), which every page of the link makes first.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client

from bench.figures import dev_server, in_rounds, note, report
from domain.calendar import london_date
from domain.models import CaseView, DeliveryStatus, OfferResolution
from domain.notifications import AnswerPurpose, notice_key
from infra.converter import data_converter
from records.answer_links import AnswerLinks, CheckKind, IdentityCheck, expiry_of
from records.database import records_database_for
from tests.conftest import TEST_KEYS, RecordedNotifications, open_case, running_worker, start_case
from workflows import names
from workflows.case import DisagreementCase

OFFICER = "jo.smith"
PHONE_LAST4 = "0123"  # tests.conftest.open_case's applicant phone, 07700 900123


async def public_site_pages(runs: int = 30) -> None:
    import httpx

    from public_site.app import create_app as public_app
    from public_site.settings import PublicSettings
    from tests.web_console import CSRF, free_port, served, web_settings
    from web.app import create_app as console_app

    async with dev_server() as env:
        with tempfile.TemporaryDirectory() as data_dir:
            site_port, console_port = free_port(), free_port()
            task_queue, records_file = f"bench-{uuid.uuid4()}", Path(data_dir) / "records.sqlite3"
            # The worker, the console and the site on one data folder and one records file: the same
            # case keys, and the same site secret (the worker's links, the site's checks).
            settings = web_settings(Path(data_dir), task_queue, web_port=console_port, public_port=site_port, records_file=records_file)
            site = PublicSettings(
                data_dir=Path(data_dir), task_queue=task_queue, encryption_keys=TEST_KEYS, public_port=site_port,
                records_file=records_file,
            )
            client = Client(env.client.service_client, namespace=env.client.namespace, data_converter=data_converter(settings))
            async with running_worker(client, settings, RecordedNotifications()):
                case = await start_case(client, settings, open_case())
                await case.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
                for _ in range(100):  # the offer's messages delivered: nothing left moving on the worker
                    view = await case.query(names.CASE_QUERY, result_type=CaseView)
                    if all(message.status is not DeliveryStatus.pending for message in view.notifications):
                        break
                    await asyncio.sleep(0.1)
                links = AnswerLinks(records_database_for(site), site.public_site_secret())
                token = await links.mint(
                    case.id, "applicant", AnswerPurpose.consent, notice_key(case.id, "resolution_offered", "applicant"),
                    IdentityCheck(CheckKind.phone_last4, PHONE_LAST4), expiry_of(london_date(datetime.now(UTC)) + timedelta(days=10)),
                )
                async with (
                    served(public_app(site, client), site_port) as site_address,
                    served(console_app(settings, client), console_port) as console_address,
                    httpx.AsyncClient(base_url=site_address) as family,
                    httpx.AsyncClient(base_url=site_address) as stranger,  # never passes the check: no cookie
                    httpx.AsyncClient(base_url=console_address) as officer,
                ):
                    sign_in = await officer.get("/sign-in")
                    await officer.post("/sign-in/dev", data={
                        "csrf_token": CSRF.search(sign_in.text).group(1), "staff_id": OFFICER, "roles": "case_officer",
                    })

                    async def check_page() -> None:
                        response = await stranger.get(f"/{token}")
                        assert response.status_code == 200 and "last 4 digits" in response.text, response.status_code

                    async def answer_check() -> None:
                        response = await family.post(f"/{token}", data={"answer": PHONE_LAST4})
                        assert response.status_code == 303 and response.headers["location"] == f"/{token}/case", response.status_code

                    async def case_page() -> None:
                        response = await family.get(f"/{token}/case")
                        assert response.status_code == 200 and "Your case" in response.text, response.status_code

                    async def first_visit() -> None:
                        family.cookies.clear()
                        await check_page()
                        await answer_check()
                        await case_page()

                    async def console_page() -> None:
                        response = await officer.get(f"/cases/{case.id}")
                        assert response.status_code == 200 and case.id in response.text, response.status_code

                    async def query() -> None:
                        await case.query(names.CASE_QUERY, result_type=CaseView)

                    async def look_up() -> None:  # what every page does first: one records transaction
                        assert await links.find(token) is not None

                    await answer_check()  # the cookie the case page needs
                    took = await in_rounds(runs, {
                        "query": query, "check": check_page, "answer": answer_check, "case": case_page,
                        "visit": first_visit, "console": console_page, "look_up": look_up,
                    })
                await links.close()
                await case.terminate("benchmark over")
    print("-- public site: one offered case, its family's link (phone check); uvicorn over loopback", flush=True)
    report("public: GET /<token>, the check (median)", took["check"], took["query"], "ms")
    report("public: POST /<token>, the right answer", took["answer"], took["query"], "ms")
    report("public: GET /<token>/case (median)", took["case"], took["query"], "ms")
    report("public: check, answer and case, in a row", took["visit"], took["query"], "ms")
    report("web: the console's case page, same case", took["console"], took["query"], "ms")
    note(f"baseline: the `case` query of the same case made directly with the client; median of {runs}, in rounds")
    note(f"the link looked up alone (AnswerLinks.find, one transaction on the records file): {took['look_up']:.1f} ms; "
         "the check page looks it up and counts the failures (2 transactions), the answer 3, the case page 2 and the query")
