"""The codec server's request metrics: by route template and status (its refusals are an alert),
served on their own port, with no namespace, token or payload in them; a metrics port already taken
stops a process at start-up, naming the setting."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from infra.codec_server import METRICS, build_app
from tests.conftest import TEST_KEYS, isolated_settings
from tests.delivery_servers import free_port
from tests.processes import ROOT
from tests.telemetry_helpers import samples, scrape

TOKEN = "a-codec-token-long-enough"


async def test_refusals_and_answers_are_counted_by_route_template_and_status(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    settings = isolated_settings(tmp_path, codec_server_port=port, codec_token=TOKEN, codec_metrics_port=metrics_port)
    app = build_app(settings)
    assert app[METRICS].serve(settings, "codec_metrics_port") == metrics_port
    before = scrape(f"http://127.0.0.1:{metrics_port}/metrics")
    # The alert's `increase` sees the first refusal: each refusal is counted from 0 before it happens.
    assert ({"route": "/{prefix}decode", "method": "POST", "code": "401"}, 0.0) in samples(before, "disagreement_codec_requests_total")
    async with TestClient(TestServer(app, host="127.0.0.1", port=port)) as client:
        for _ in range(2):
            assert (await client.post("/secret-namespace/decode", json={"payloads": []})).status == 401
        authorised = {"Authorization": f"Bearer {TOKEN}"}
        assert (await client.post("/secret-namespace/decode", json={"payloads": []}, headers=authorised)).status == 200
        assert (await client.get("/elsewhere", headers=authorised)).status == 404
    text = scrape(f"http://127.0.0.1:{metrics_port}/metrics")
    counted = {(labels["route"], labels["method"], labels["code"]): count for labels, count in samples(text, "disagreement_codec_requests_total")}
    assert counted[("/{prefix}decode", "POST", "401")] == 2
    assert counted[("/{prefix}decode", "POST", "200")] == 1
    assert counted[("unmatched", "GET", "404")] == 1
    assert "secret-namespace" not in text and TOKEN not in text


def test_a_worker_whose_metrics_port_is_taken_stops_at_start_up_naming_the_setting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PATH": "/usr/bin:/bin", "DISAGREEMENT_DATA_DIR": str(tmp_path), "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
               "DISAGREEMENT_METRICS_PORT": str(port), "TEMPORAL_ADDRESS": "127.0.0.1:1"}
        done = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "DISAGREEMENT_METRICS_PORT" in done.stderr and "Traceback" not in done.stderr, done.stderr
