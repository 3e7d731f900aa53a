"""AI jobs: long work the projects subgraph's queue hands to this subgraph (see runner.py)."""
