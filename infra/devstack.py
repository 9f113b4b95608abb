"""`make run`: the whole product on one machine, stopped together with Ctrl-C.

Starts the Temporal dev server (SQLite file under the data folder, so cases survive a restart;
Web UI; our search attributes registered), the codec server the UI decrypts through, a worker,
the staff web console (`python -m web`) and the public site (`python -m public_site`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import structlog

from infra.binaries import installed_binary
from infra.codec_server import endpoint as codec_endpoint
from infra.files import PRIVATE_FOLDER, private_folder
from infra.logs import configure_logging
from infra.settings import Settings, SettingsError
from infra.vouching import write_key_pair
from web.settings import WebSettings, load_web_settings
from workflows.visibility import SEARCH_ATTRIBUTES

log = structlog.get_logger()
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Names the `temporal` CLI uses for search attribute types.
TYPE_NAMES = {"KEYWORD": "Keyword", "KEYWORD_LIST": "KeywordList", "DATETIME": "Datetime"}
# The dev server's log levels, as our logger's methods.
SERVER_LEVELS = {"debug": "debug", "info": "info", "warn": "warning", "error": "error"}


def dev_server_command(settings: WebSettings) -> list[str]:
    command = [
        installed_binary("temporal"), "server", "start-dev",
        "--db-filename", str(settings.data_dir / "temporal.sqlite"),
        "--ip", settings.dev_server_ip,
        "--port", str(settings.dev_server_port),
        "--ui-port", str(settings.ui_port),
        "--ui-codec-endpoint", codec_endpoint(settings),
        # JSON, uncoloured: relay_server_output writes its lines in the stack's own format.
        "--log-level", "error", "--log-format", "json", "--color", "never",
    ]
    for key in SEARCH_ATTRIBUTES:
        command += ["--search-attribute", f"{key.name}={TYPE_NAMES[key.indexed_value_type.name]}"]
    return command


def wait_for_port(
    host: str, port: int, process: subprocess.Popen, seconds: float = 60, name: str = "the Temporal dev server"
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start-up (exit {process.returncode})")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not open {host}:{port} within {seconds:.0f} s")


def set_namespace_retention(settings: Settings, address: str, seconds: float = 30) -> None:
    """How long Temporal keeps a closed case's history (DISAGREEMENT_NAMESPACE_RETENTION_DAYS).

    The dev server's `default` namespace keeps it 24 hours; longer keeps recently closed cases
    browsable in the Web UI. Closed cases live on in the records store either way (records/).
    """
    command = [
        installed_binary("temporal"), "operator", "namespace", "update", "--address", address,
        "--retention", f"{settings.namespace_retention_days * 24}h", "--namespace", "default",
    ]
    deadline = time.monotonic() + seconds
    while True:  # the namespace is registered a moment after the port opens
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"could not set the namespace retention: {done.stderr.strip()}")
        time.sleep(0.5)


def start(command: list[str], env: dict[str, str], relayed: bool = False) -> subprocess.Popen:
    """`relayed`: its output is read as text (relay_server_output), not inherited."""
    # Own session: Ctrl-C reaches us once, and we stop the children in order. SIGINT is reset for
    # them because a shell starting us in the background ignores it, and they would inherit that.
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True} if relayed else {}
    return subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), **output,
    )


def relay_server_output(process: subprocess.Popen) -> None:
    """The dev server's lines (its banner, and its JSON log lines) logged in the stack's format."""
    server_log = structlog.get_logger("temporal.server")

    def relay() -> None:
        for line in process.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                if line.strip():
                    server_log.info(line.strip())
                continue
            level = SERVER_LEVELS.get(str(record.get("level")).lower(), "error")  # fatal, panic: errors
            message = str(record.get("msg", ""))
            # Its time and level give way to ours; a field of its own named like one of ours is dropped.
            fields = {
                key.replace("-", "_"): value for key, value in record.items()
                if key not in ("time", "level", "msg", "event", "timestamp", "logger")
            }
            getattr(server_log, level)(message, **fields)

    threading.Thread(target=relay, daemon=True).start()


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in reversed(processes):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def run(settings: WebSettings) -> int:
    # Everything the stack writes (the server's SQLite file, outbox, sent-log, key) holds case data:
    # owner-only, in this process and the servers it starts.
    os.umask(0o077)
    private_folder(settings.data_dir).chmod(PRIVATE_FOLDER)
    created = settings.ensure_dev_key_file()
    if created:
        log.info("created a development encryption key", path=str(created))
    settings.encryption_key_ring()  # fail now, naming the setting, if the keys are unusable
    settings.public_site_secret()  # written once, shared by the worker (minting links) and the public site
    site_key = settings.public_site_key_path
    if settings.public_site_key_file is None and not site_key.exists():
        # The public site signs each party's answer with it; the worker reads its public half from here.
        write_key_pair(site_key, site_key.with_suffix(".pub"))
        log.info("created a development signing key for the public site", path=str(site_key))

    address = settings.dev_server_address
    # Its own components reach its own server, whatever TEMPORAL_ADDRESS or profile the shell has.
    env = {**os.environ, "TEMPORAL_ADDRESS": address}
    processes = [start(dev_server_command(settings), env, relayed=True)]
    relay_server_output(processes[0])
    try:
        wait_for_port(settings.dev_server_ip, settings.dev_server_port, processes[0])
        set_namespace_retention(settings, address)
        python = sys.executable
        processes.append(start([python, "codec_server.py"], env))
        processes.append(start([python, "worker.py"], env))
        # The development sign-in, on loopback only (the console refuses it elsewhere, or beside OIDC).
        console_env = env if settings.oidc_issuer else {"DISAGREEMENT_DEV_SIGN_IN": "true", **env}
        processes.append(start([python, "-m", "web"], console_env))
        console = processes[-1]
        # The public site, where families and organisations answer through the links in their messages.
        processes.append(start([python, "-m", "public_site"], env))
        # The addresses are printed once they answer.
        wait_for_port("localhost", settings.ui_port, processes[0], name="the Temporal Web UI")
        wait_for_port(settings.web_host, settings.web_port, console, name="the staff web console")
        wait_for_port("127.0.0.1", settings.public_port, processes[-1], name="the public site")
        print(
            f"\nStaff web console: http://{settings.web_host}:{settings.web_port}\n"
            f"Public site (answers through the links in messages): {settings.public_base_url}\n"
            f"Temporal Web UI: http://localhost:{settings.ui_port}\n"
            f"Temporal server: {address}   codec server: {codec_endpoint(settings)}\n"
            f"Cases are kept in {settings.data_dir / 'temporal.sqlite'}; messages go to {settings.outbox_path}/\n"
            f"Closed cases: history kept {settings.namespace_retention_days} days, records in {settings.records_path}\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        log.error("a component stopped; stopping the rest", exit_codes=[p.poll() for p in processes])
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C, a closed terminal or a `kill` stop everything, leaving no server behind.
    for stopping in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stopping, _interrupt)
    try:
        # The console's settings include everything else's: one check of them all before starting.
        settings = load_web_settings()
        configure_logging(settings.log_format)  # the processes it starts read the same setting
        sys.exit(run(settings))
    except (SettingsError, FileNotFoundError, RuntimeError) as error:
        print(f"make run: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
