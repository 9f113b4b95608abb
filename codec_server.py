"""Runs the codec server for the Temporal Web UI and CLI (`python codec_server.py`).

See infra/codec_server.py; settings (port, allowed origin, token, keys) come from DISAGREEMENT_*.
"""

from infra.codec_server import main

if __name__ == "__main__":
    main()
