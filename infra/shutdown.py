"""Leaving a short-lived program (the staff CLI, a benchmark) that used the Temporal client."""

from __future__ import annotations

import os
import sys


def exit_after_client(code: int) -> None:
    """End a short-lived program that used the client, without CPython's usual teardown.

    The Temporal client's Rust threads can crash that teardown after an otherwise clean run
    (temporalio/sdk-python#300: "PyGILState_Release ... must be current", exit 134), so flush
    what was printed and leave with the program's own exit code.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe, e.g. `disagreement list | head`
            pass
    os._exit(code)
