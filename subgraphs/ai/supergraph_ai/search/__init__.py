"""Semantic search over the platform's projects.

The projects subgraph owns the projects; this package keeps a vector index of them that follows its
change feed (`projectIndexFeed`), and answers searches, similar projects and recommendations from it.

    documents.py      what the index stores about a project, and who may see it (Scope)
    vector_index.py   the VectorIndex interface
    faiss_index.py    the embedded implementation: FAISS, persisted in one file with its cursor
    project_feed.py   the projects subgraph's change feed, called with a signed SERVICE identity
    follower.py       keeps the index current: pulls on start, on pokes and on a timer; reindexes
    pokes.py          the projects.projectChanged pokes from Redis
    project_search.py the queries the schema asks: batched search, similar, recommendations
"""
