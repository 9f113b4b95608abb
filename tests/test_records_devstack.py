"""`make run` sets how long Temporal keeps closed histories, and its worker creates the purge
Schedule: both asserted with the client against the real stack."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

from records.names import PURGE_SCHEDULE_ID
from tests.test_devstack import free_port, running_stack


async def test_make_run_sets_the_namespace_retention_and_the_purge_schedule(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("DEV_SERVER_PORT", "UI_PORT", "CODEC_SERVER_PORT")}
    env = {
        **os.environ,
        "DISAGREEMENT_DATA_DIR": str(tmp_path),
        "DISAGREEMENT_NAMESPACE_RETENTION_DAYS": "45",
        **{f"DISAGREEMENT_{name}": str(port) for name, port in ports.items()},
    }
    env.pop("DISAGREEMENT_ENCRYPTION_KEYS", None)

    with running_stack(env) as banner:
        assert "history kept 45 days" in banner
        client = await Client.connect(f"127.0.0.1:{ports['DEV_SERVER_PORT']}")
        described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"))
        assert described.config.workflow_execution_retention_ttl.ToSeconds() == 45 * 24 * 3600
        for _ in range(100):  # the worker creates the Schedule as it starts
            try:
                await client.get_schedule_handle(PURGE_SCHEDULE_ID).describe(rpc_timeout=timedelta(seconds=2))
                break
            except RPCError:
                await asyncio.sleep(0.2)
        else:
            raise AssertionError("the worker did not create the purge schedule")


def test_the_default_retention_is_30_days() -> None:
    from infra.settings import Settings

    assert Settings().namespace_retention_days == 30
