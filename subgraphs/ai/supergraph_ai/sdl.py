"""Prints the subgraph's SDL (with its federation @link) without starting the server or loading models.

python -m supergraph_ai.sdl > ai.graphql
"""

from __future__ import annotations

import sys


def print_sdl() -> str:
    from .schema import schema

    return schema.as_str() + "\n"


def main() -> int:
    sys.stdout.write(print_sdl())
    return 0


if __name__ == "__main__":
    sys.exit(main())
