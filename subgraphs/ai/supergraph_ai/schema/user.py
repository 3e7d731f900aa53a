"""`User`, the users subgraph's entity, extended with its lead score.

We cannot read the users database (each subgraph owns its data): the score is computed from the fields
the router fetches from the users subgraph for us (`@requires`), which arrive in the representation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from ..context import RequestContext, is_admin
from ..errors import BadUserInput, Forbidden
from ..identity import ServiceIdentity, UserIdentity
from ..models import lead_scoring
from ..validation import MAX_SEARCH_RESULTS, check_first
from .common import DateTimeISO, Tier, parse_datetime_iso
from .permissions import AdminOrService, SignedIn
from .project import ProjectMatch

LeadBand = lead_scoring.LeadBand
strawberry.enum(  # registers the model's own enum as the GraphQL enum, so the two cannot differ
    LeadBand,
    name="LeadBand",
    description=f"HOT: score >= {lead_scoring.HOT_THRESHOLD}; WARM: >= {lead_scoring.WARM_THRESHOLD}; COLD below.",
)


@strawberry.type(description="One reason for a lead score.")
class LeadScoreFactor:
    feature: str = strawberry.field(description="tier, accountAge or wallets")
    value: str = strawberry.field(description="The user's value of the feature, as shown to people")
    contribution: float = strawberry.field(
        description="What this feature adds to the score's log-odds, compared with the average user "
        "(positive raises the score)"
    )


@strawberry.type(description="How likely the user is to become, or grow as, a paying customer.")
class LeadScore:
    score: float = strawberry.field(description="Probability between 0 and 1")
    band: LeadBand
    factors: list[LeadScoreFactor] = strawberry.field(
        description="Every feature's contribution, largest effect first: together they explain the score"
    )
    model_version: str

    @classmethod
    def from_result(cls, result: lead_scoring.LeadScoreResult) -> LeadScore:
        return cls(
            score=result.score,
            band=result.band,
            factors=[
                LeadScoreFactor(feature=f.feature, value=f.value, contribution=f.contribution) for f in result.factors
            ],
            model_version=result.model_version,
        )


@strawberry.federation.type(keys=["id"], description="A user, owned by the users subgraph.")
class User:
    id: strawberry.ID
    tier: Tier = strawberry.federation.field(external=True)
    created_at: DateTimeISO = strawberry.federation.field(external=True)
    wallet_addresses: list[str] = strawberry.federation.field(external=True)

    @classmethod
    def resolve_reference(cls, info: Info[RequestContext, None], **representation: Any) -> User:
        # Only the @key is guaranteed; the @requires fields come when a field that needs them is queried.
        return cls(
            id=strawberry.ID(str(representation["id"])),
            tier=representation.get("tier"),  # type: ignore[arg-type]
            created_at=representation.get("createdAt"),  # type: ignore[arg-type]
            wallet_addresses=representation.get("walletAddresses"),  # type: ignore[arg-type]
        )

    @strawberry.federation.field(
        requires=["tier createdAt walletAddresses"],
        permission_classes=[AdminOrService],
        description="Lead score with the contributions that explain it. Admins and the router only.",
    )
    async def lead_score(self, info: Info[RequestContext, None]) -> LeadScore | None:
        result = await info.context.loaders.lead_score.load(self._lead_input())
        return LeadScore.from_result(result)

    @strawberry.field(
        permission_classes=[SignedIn],
        description=f"PUBLIC projects of other users most like this user's own projects (1 to {MAX_SEARCH_RESULTS}), "
        "best first; empty when the user has no indexed project. For the user themself, admins and the router. "
        "Null while the AI subgraph is unavailable.",
    )
    # Optional so that an outage of this subgraph nulls this field alone, never the user around it.
    async def recommendations(self, info: Info[RequestContext, None], first: int = 5) -> list[ProjectMatch] | None:
        check_first(first)
        identity = info.context.identity
        own = isinstance(identity, UserIdentity) and identity.user_id == str(self.id)
        if not (own or isinstance(identity, ServiceIdentity) or is_admin(identity)):
            raise Forbidden("Only the user themself and administrators may read their recommendations")
        return ProjectMatch.from_matches(await info.context.loaders.recommendations.load((str(self.id), first)))

    def _lead_input(self) -> lead_scoring.LeadInput:
        tier = self.tier.value if isinstance(self.tier, Tier) else self.tier
        if tier not in lead_scoring.TIERS:
            raise BadUserInput(f"representation of User {self.id} lacks a known tier", "representations")
        created_at: Any = self.created_at
        try:
            created = created_at if isinstance(created_at, datetime) else parse_datetime_iso(created_at)
        except ValueError as error:
            raise BadUserInput(f"representation of User {self.id}: createdAt {error}", "representations") from None
        wallets = self.wallet_addresses
        if not isinstance(wallets, list):
            raise BadUserInput(f"representation of User {self.id} lacks walletAddresses", "representations")
        return lead_scoring.LeadInput(user_id=str(self.id), tier=tier, created_at=created, wallet_count=len(wallets))
