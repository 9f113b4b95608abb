"""`disagreement`, assembled: every command module registers its commands on the one app
(cli/common.py), imported here in the order the help lists them. The entry point, starter.py, runs it.
"""

from typing import NoReturn

# Each registers its commands on `app` when imported: in this order, which is the help's.
import cli.app  # noqa: F401  (the case commands)
import cli.records  # noqa: F401, I001
import cli.reports  # noqa: F401, I001
import cli.login  # noqa: F401, I001
from cli.common import app
from infra.shutdown import exit_after_client

def run() -> NoReturn:
    """Run one command as a program, then leave without interpreter teardown.

    Exits through `exit_after_client`: the Temporal client can crash CPython's own teardown.
    """
    code = 0
    try:
        app()
    except SystemExit as done:  # how typer ends every command
        code = int(done.code or 0)
    exit_after_client(code)
