"""`python -m web`: the staff web console under uvicorn (`make run` starts it beside the worker)."""

from __future__ import annotations

import sys

import uvicorn

from infra.logs import configure_logging
from infra.settings import SettingsError
from infra.tracing import tracer_for
from web.app import create_app
from web.settings import load_web_settings

WEB_METRICS = "web_metrics_port"


def main() -> None:
    try:
        settings = load_web_settings()
        configure_logging(settings.log_format)
        app = create_app(settings, tracer=tracer_for("disagreement-console"))
        app.metrics.serve(settings, WEB_METRICS)
    except (SettingsError, RuntimeError) as error:
        print(f"web console: {error}", file=sys.stderr)
        sys.exit(2)
    # Our own access log (web/app.py) leaves out query strings; uvicorn's would not.
    uvicorn.run(app, host=settings.web_host, port=settings.web_port, access_log=False, log_config=None)


if __name__ == "__main__":
    main()
