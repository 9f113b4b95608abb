"""The worker's settings reach the worker: its sticky cache and whether workflows run sandboxed."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from worker import build_worker


async def test_cache_size_and_sandbox_come_from_the_settings(dev_server, settings) -> None:
    default = build_worker(dev_server.client, settings).config()
    assert default["max_cached_workflows"] == 1000
    assert isinstance(default["workflow_runner"], SandboxedWorkflowRunner)

    chosen = settings.model_copy(
        update={"workflow_cache_size": 50, "workflow_sandbox": False, "task_queue": settings.task_queue + "-2"}
    )
    configured = build_worker(dev_server.client, chosen).config()
    assert configured["max_cached_workflows"] == 50
    assert isinstance(configured["workflow_runner"], UnsandboxedWorkflowRunner)
