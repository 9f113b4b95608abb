"""Staff command latency: `disagreement show` and `list`, each a fresh process as staff run them.

Beside them, in the same run against the same dev server and case: the Go `temporal workflow
describe` / `list`, and the floor any Python Temporal client pays, `python -c "import
temporalio.client"`. Commands are run in turn, round after round, and the median wall time of each
is reported. Then `python -X importtime` on `show` says which packages its imports spend their time
in, to see what the command line loads that it does not need.

Python runs as installed, with its bytecode compiled (pip compiles what it installs; `make bench`
compiles the project's own modules first, `make bytecode`): otherwise, where PYTHONDONTWRITEBYTECODE
is set, every run would compile them afresh, a cost staff never pay. An untimed first round warms
the file cache.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.figures import dev_server, median, note, report
from infra.binaries import installed_binary
from infra.settings import Settings
from tests.conftest import TEST_KEYS, opened_view, start_case
from worker import build_worker

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15  # a shared 2-core machine: enough runs that the median settles
SHOWN_IMPORTS = 8


def _wall_time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def import_cost_by_package(stderr: str) -> list[tuple[float, str]]:
    """(ms, top-level package) from `python -X importtime` output: each module's own time, summed
    over every module of the package, so nested imports are not counted twice."""
    costs: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        costs[package] = costs.get(package, 0.0) + int(own) / 1000
    return sorted(((ms, package) for package, ms in costs.items()), reverse=True)


async def staff_command_latency() -> None:
    async with dev_server() as env:
        address = env.client.service_client.config.target_host
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), task_queue=f"bench-{uuid.uuid4()}", encryption_keys=TEST_KEYS)
            async with build_worker(env.client, settings):
                reference = (await opened_view(await start_case(env.client, settings))).reference
                environ = {
                    **os.environ,
                    "TEMPORAL_ADDRESS": address,
                    "DISAGREEMENT_TASK_QUEUE": settings.task_queue,
                    "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
                }
                temporal = installed_binary("temporal")
                commands = {
                    "show": [sys.executable, "starter.py", "show", reference],
                    "list": [sys.executable, "starter.py", "list"],
                    "describe": [temporal, "workflow", "describe", "--workflow-id", reference, "--address", address],
                    "temporal list": [temporal, "workflow", "list", "--address", address],
                    "import floor": [sys.executable, "-c", "import temporalio.client"],
                }
                for command in commands.values():  # the untimed round: files cached
                    await asyncio.to_thread(_wall_time, command, environ)
                timings: dict[str, list[float]] = {name: [] for name in commands}
                for _ in range(ROUNDS):  # in turn, so that load from elsewhere falls on all alike
                    for name, command in commands.items():
                        timings[name].append(await asyncio.to_thread(_wall_time, command, environ))
                profile = await asyncio.to_thread(
                    subprocess.run, [sys.executable, "-X", "importtime", *commands["show"][1:]],
                    cwd=ROOT, env=environ, capture_output=True, text=True, check=True,
                )
    took = {name: median(values) * 1000 for name, values in timings.items()}
    print(f"-- staff commands: median of {ROUNDS} runs each, fresh processes, one case on a dev server", flush=True)
    report("show vs import temporalio.client", took["show"], took["import floor"], "ms")
    report("show vs temporal workflow describe", took["show"], took["describe"], "ms")
    report("list vs import temporalio.client", took["list"], took["import floor"], "ms")
    report("list vs temporal workflow list", took["list"], took["temporal list"], "ms")
    costs = import_cost_by_package(profile.stderr)
    heaviest = ", ".join(f"{package} {ms:.0f}" for ms, package in costs[:SHOWN_IMPORTS])
    note(f"show imports {sum(ms for ms, _ in costs):.0f} ms in all (-X importtime); by package: {heaviest}")
