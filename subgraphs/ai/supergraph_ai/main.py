"""Runs the subgraph: `python -m supergraph_ai` (or the `supergraph-ai` script)."""

from __future__ import annotations

import logging
import os
import sys

import uvicorn

from .app import create_app
from .config import ConfigError, Settings
from .observability import configure_logging, start_tracing


def main() -> int:
    configure_logging(os.environ.get("LOG_LEVEL"))
    # httpx logs every request at INFO; the project index polls the projects feed every few seconds.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        app = create_app(settings)
    except ConfigError as error:
        print(f"supergraph-ai: {error}", file=sys.stderr)
        return 2
    if settings.otlp_endpoint:
        start_tracing(settings.otlp_endpoint)
    # One process: the models live in memory once, and the micro-batcher can only batch requests that
    # reach the same process. Scale out with replicas, not workers. log_config=None keeps our JSON logging.
    uvicorn.run(app, host=settings.host, port=settings.port, lifespan="on", log_config=None, ws_max_size=1 << 20)
    return 0
