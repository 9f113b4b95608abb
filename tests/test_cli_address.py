"""The command line reaches the server `make run` started, wherever DISAGREEMENT_DEV_SERVER_IP and
_PORT put it (as the stack does: infra/devstack.py), unless TEMPORAL_ADDRESS or a profile names one.

Run as the real program, with no TEMPORAL_ADDRESS and an empty profile file, as a developer's shell
would be after `DISAGREEMENT_DEV_SERVER_PORT=... make run`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.cli_helpers import Outcome, Staff, open_arguments
from tests.cli_helpers import staff  # noqa: F401 (the shared staff fixture)
from tests.delivery_servers import free_port

pytestmark = pytest.mark.timeout(120)


def moved_to(server: WorkflowEnvironment, tmp_path: Path, port: int | None = None) -> dict[str, str | None]:
    """The environment of a shell that names the dev server only by the DISAGREEMENT_ settings."""
    ip, _, own_port = server.client.service_client.config.target_host.rpartition(":")
    profile = tmp_path / "temporal.toml"
    profile.write_text("")  # no profile of the developer's own may choose the address
    return {
        "TEMPORAL_ADDRESS": None, "TEMPORAL_CONFIG_FILE": str(profile), "TEMPORAL_PROFILE": None,
        "DISAGREEMENT_DEV_SERVER_IP": ip, "DISAGREEMENT_DEV_SERVER_PORT": str(port or own_port),
    }


async def test_a_command_reaches_the_dev_server_on_its_moved_port(
    staff: Staff, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    opened = await staff.program(*open_arguments(), "--json", **moved_to(dev_server, tmp_path))
    reference = opened.json["reference"]

    # The case is on that server: its own client finds it.
    described = await dev_server.client.get_workflow_handle(reference).describe()
    assert described.id == reference
    shown = await staff.program("show", reference, "--json", **moved_to(dev_server, tmp_path))
    assert shown.json["reference"] == reference


async def test_a_wrong_port_fails_saying_which_settings_chose_it(
    staff: Staff, dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    nowhere = free_port()
    down: Outcome = await staff.program("list", **moved_to(dev_server, tmp_path, nowhere))

    assert down.code == 1
    assert f"cannot reach the Temporal server at 127.0.0.1:{nowhere}" in down.said
    assert "DISAGREEMENT_DEV_SERVER_PORT" in down.said
    assert "Traceback" not in down.stderr


async def test_an_explicit_address_wins(staff: Staff, dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    explicit = {
        **moved_to(dev_server, tmp_path, free_port()),  # the dev server settings point nowhere
        "TEMPORAL_ADDRESS": dev_server.client.service_client.config.target_host,
    }
    listed = await staff.program("list", "--json", **explicit)
    assert listed.code == 0, listed.stderr

    down = await staff.program("list", **{**explicit, "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"})
    assert down.code == 1
    assert "TEMPORAL_ADDRESS (or a temporal.toml profile) chooses the address" in down.said
