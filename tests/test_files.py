"""Files holding case data are their owner's alone, and keys readable by others are refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from activities.notifications import NotificationActivities
from infra.keys import new_key_entry
from infra.settings import Settings, SettingsError
from tests.notices import notice
from tests.delivery_servers import free_port
from tests.processes import ROOT
from tests.test_devstack import running_stack


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual 022, under which files come out world-readable unless made otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_the_data_folder_outbox_files_and_sent_log_are_owner_only(tmp_path: Path, permissive_umask: None) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    await NotificationActivities(settings).send_notification(notice())

    assert mode(settings.data_dir) == 0o700
    assert mode(settings.outbox_path) == 0o700
    [message] = settings.outbox_path.iterdir()
    assert mode(message) == 0o600
    assert mode(settings.sent_log_path) == 0o600


@pytest.mark.parametrize("loose", [0o644, 0o640, 0o604])
def test_a_key_file_others_can_read_is_refused_saying_how_to_fix_it(tmp_path: Path, loose: int) -> None:
    key_file = tmp_path / "encryption-keys"
    key_file.write_text(new_key_entry("dev-1"))
    key_file.chmod(loose)

    with pytest.raises(SettingsError) as refused:
        Settings(data_dir=tmp_path).encryption_key_ring()

    assert f"chmod 600 {key_file}" in str(refused.value) and f"{loose:04o}" in str(refused.value)
    key_file.chmod(0o600)
    assert Settings(data_dir=tmp_path).encryption_key_ring().current_id == "dev-1"


def keys_command(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infra.keys", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_keys_help_is_help_and_never_a_key_id() -> None:
    helped = keys_command("--help")

    assert helped.returncode == 0 and helped.stdout.startswith("usage: python -m infra.keys")
    assert "--help:" not in helped.stdout


def test_keys_prints_an_entry_and_refuses_a_bad_id_in_words() -> None:
    made = keys_command("prod-2027")
    refused = keys_command("no spaces")

    assert made.returncode == 0 and made.stdout.startswith("prod-2027:")
    assert refused.returncode == 2 and "a key id is 1-64 letters" in refused.stderr and "Traceback" not in refused.stderr


def test_make_run_keeps_its_data_folder_and_files_owner_only(tmp_path: Path, permissive_umask: None) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # made by hand, world-readable: the stack tightens it
    ports = {name: free_port() for name in ("DEV_SERVER_PORT", "UI_PORT", "CODEC_SERVER_PORT", "WEB_PORT")}
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("DISAGREEMENT_")},
        "DISAGREEMENT_DATA_DIR": str(data),
        **{f"DISAGREEMENT_{name}": str(port) for name, port in ports.items()},
    }

    with running_stack(env):
        pass

    assert mode(data) == 0o700
    written = [path for path in data.rglob("*") if path.is_file()]
    assert {path.name for path in written} >= {"temporal.sqlite", "encryption-keys"}
    assert {path.name: mode(path) & 0o077 for path in written} == {path.name: 0 for path in written}
