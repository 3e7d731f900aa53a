"""Directives this subgraph declares for the router, composed into the supergraph (@composeDirective)."""

from __future__ import annotations

from strawberry.federation.schema_directive import Location, schema_directive

# The router reads the directive from the supergraph by this spec's name; the version is ours to bump.
NON_RETRYABLE_SPEC = "https://supergraph.dev/non-retryable/v1.0"


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="nonRetryable",
    description=(
        "Long, costly work (a model generation): the router never retries a fetch that selects this field, "
        "and gives that fetch its own deadline (NON_RETRYABLE_FETCH_TIMEOUT_MS) instead of the subgraph timeout."
    ),
    compose=True,
    import_url=NON_RETRYABLE_SPEC,
)
class NonRetryable:
    pass
