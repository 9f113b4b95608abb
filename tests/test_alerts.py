"""Alerts and the dashboard (DESIGN section 15) against Debian's Prometheus: `promtool` checks the
rules and runs their unit tests, then a real Prometheus scrapes a running worker (`python worker.py`)
and the "message failed" alert fires when a message fails for good. The dashboard's queries name
only metrics that a real scrape of the worker, the console, the public site and the codec server shows."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from temporalio.testing import WorkflowEnvironment

from activities.notifications import DEFERRED
from cases.overdue import COUNTED_AT, LONG_OVERDUE, OVERDUE
from domain.models import Contact, Organisation, OrganisationKind
from infra.codec_server import build_app
from public_site.app import create_app as public_app
from public_site.settings import PublicSettings
from records.answer_links import AnswerLinks
from records.database import records_database_for
from tests.conftest import TEST_KEYS, isolated_settings, open_case, personal_data, start_case
from tests.delivery_servers import MAIL_FROM, Mailbox, free_port
from tests.processes import ROOT, worker_env, worker_process
from tests.telemetry_helpers import metric_names, scrape
from tests.web_console import console_over, web_settings
from web.app import create_app
from workflows.metrics import DESCRIPTIONS

OPS = ROOT / "ops"
ALERTS = OPS / "prometheus" / "alerts.yml"
ALERT_TESTS = OPS / "prometheus" / "alerts.test.yml"
DASHBOARD = OPS / "grafana" / "dashboard.json"
# Every metric the product itself defines: the worker's from the cases and the overdue count.
PRODUCT_METRICS = {f"{name}_total" for name in DESCRIPTIONS} | {f"{DEFERRED}_total", OVERDUE, LONG_OVERDUE, COUNTED_AT}
METRIC = re.compile(r"\b((?:temporal|disagreement)_[a-z0-9_]+)\b")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: install Debian's Prometheus with `apt-get install prometheus` (`make test` does)")
    return found


def test_the_alert_rules_and_the_example_configuration_are_valid() -> None:
    checked = subprocess.run([tool("promtool"), "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = subprocess.run([tool("promtool"), "check", "config", str(OPS / "prometheus" / "prometheus.yml")], capture_output=True, text=True)
    assert config.returncode == 0, config.stdout + config.stderr


def test_each_alert_fires_in_its_unit_test_and_says_what_it_means() -> None:
    tested = subprocess.run([tool("promtool"), "test", "rules", str(ALERT_TESTS)], capture_output=True, text=True, cwd=ALERTS.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    rules = ALERTS.read_text()
    alerts = re.findall(r"- alert: (\w+)", rules)
    assert len(alerts) == 8
    assert set(alerts) == set(re.findall(r"alertname: (\w+)", ALERT_TESTS.read_text()))
    # Each has a summary and a description in words.
    assert rules.count("summary:") == rules.count("description:") == len(alerts)


def dashboard_queries() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["title"] and dashboard["panels"]
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def base_name(metric: str) -> str:
    return re.sub(r"_(bucket|sum|count)$", "", metric)


@pytest.fixture
def prometheus_port(tmp_path: Path) -> int:
    return free_port()


@pytest.fixture
def prometheus(tmp_path: Path, prometheus_port: int, worker_metrics_port: int) -> Iterator[str]:
    """Debian's Prometheus on a free loopback port, scraping the worker every second and evaluating
    the product's alert rules every second."""
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: ['{ALERTS}']\n"
        "scrape_configs:\n"
        f"  - job_name: disagreement-worker\n    static_configs: [{{targets: ['127.0.0.1:{worker_metrics_port}']}}]\n"
    )
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [tool("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{prometheus_port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def worker_metrics_port() -> int:
    return free_port()


async def firing(prometheus: str, alert: str) -> list[dict]:
    def read() -> list[dict]:
        try:
            with urllib.request.urlopen(f"{prometheus}/api/v1/alerts", timeout=5) as response:
                alerts = json.load(response)["data"]["alerts"]
        except OSError:
            return []  # not listening yet
        return [a for a in alerts if a["labels"]["alertname"] == alert and a["state"] == "firing"]

    return await asyncio.to_thread(read)


@pytest.mark.timeout(180)
async def test_a_message_that_fails_for_good_fires_the_alert_in_a_real_prometheus_scraping_the_worker(
    dev_server: WorkflowEnvironment, tmp_path: Path, mailbox: Mailbox, smtp_port: int, worker_metrics_port: int,
    prometheus: str,
) -> None:
    settings = isolated_settings(tmp_path)
    env = worker_env(
        dev_server, settings, metrics_port=str(worker_metrics_port), notification_backend="smtp",
        smtp_host="127.0.0.1", smtp_port=str(smtp_port), smtp_security="none", mail_from=MAIL_FROM,
    )
    # The school can be reached by text only, which the SMTP backend cannot send: its message fails for good.
    school = Organisation(kind=OrganisationKind.school, name="Hill Top Primary", contact=Contact(phone="07700 900456"))
    opened = open_case(organisations=[school])
    with worker_process(env, tmp_path / "worker.log") as worker:
        await start_case(dev_server.client, settings, opened)
        for _ in range(600):
            alerts = await firing(prometheus, "MessageFailed")
            if alerts:
                break
            assert worker.process.poll() is None, worker.output()
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the MessageFailed alert never fired")
        worker_scrape = scrape(f"http://127.0.0.1:{worker_metrics_port}/metrics")

    [alert] = alerts
    assert {"template": "case_opened", "channel": "none", "route": "disagreement_resolution"}.items() <= alert["labels"].items()
    words = json.dumps(alert)
    assert "case_opened" in alert["annotations"]["summary"]
    for secret in personal_data(opened):
        assert secret not in words and secret not in worker_scrape
    # The dashboard and the alerts name metrics a real scrape shows: the worker's (the SDK's and the
    # product's), the console's, the public site's and the codec server's.
    scraped = (
        metric_names(worker_scrape) | await console_metrics(tmp_path, settings.task_queue) | await public_metrics(tmp_path)
        | await codec_metrics(tmp_path)
    )
    named = {base_name(metric) for text in [*dashboard_queries(), ALERTS.read_text()] for metric in METRIC.findall(text)}
    seen = {base_name(metric) for metric in scraped}
    # The product's own counts appear once their first event happens; the rest must all be on the scrape.
    missing = named - seen - PRODUCT_METRICS
    assert not missing, f"named in the dashboard or alerts but on no scrape: {sorted(missing)}"
    assert {"disagreement_messages_failed_total", "disagreement_cases_opened_total", COUNTED_AT} <= seen


async def console_metrics(tmp_path: Path, task_queue: str) -> set[str]:
    app = create_app(web_settings(tmp_path / "console", task_queue))
    async with console_over(app) as console:
        assert (await console.get("/sign-in")).status_code == 200
    return metric_names(app.metrics.exposition())


async def public_metrics(tmp_path: Path) -> set[str]:
    """The public site's, after a link not recognised (a made-up token)."""
    settings = PublicSettings(data_dir=tmp_path / "public", encryption_keys=TEST_KEYS)
    links = AnswerLinks(records_database_for(settings), settings.public_site_secret())
    app = public_app(settings, links=links)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8081") as http:
        assert (await http.get(f"/{secrets.token_urlsafe(16)}")).status_code == 404
    await links.close()
    return metric_names(app.metrics.exposition())


async def codec_metrics(tmp_path: Path) -> set[str]:
    port = free_port()
    settings = isolated_settings(tmp_path / "codec", codec_server_port=port)
    app = build_app(settings)
    async with TestClient(TestServer(app, host="127.0.0.1", port=port)) as client:
        await client.post("/decode", json={"payloads": []})
    from infra.codec_server import METRICS

    return metric_names(app[METRICS].exposition())
