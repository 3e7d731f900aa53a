"""The platform's own $FORGE activity as a daily series, read from the blockchain subgraph's
service-only `tokenTransferFeed` (every transfer its chain follower stored, oldest first) through the
signed service client.

FORGE_TRANSFER_VOLUME is the $FORGE moved per UTC day, in whole tokens (base units / 10^18), from the
first day with a transfer to today; a day without transfers is 0, today counts what happened so far.
A transfer is dated by when the follower stored it (seconds after its block while the follower keeps
up; later after downtime). Transfers a reorg REMOVED are left out, and so are mints and burns (from or to
the zero address): they change the supply, not the activity between holders (the deployment's mint of the
whole supply would otherwise be the series' first and largest day). Staking is in this series as what it
is on chain, transfers to and from the treasury: the stakes themselves are the payments subgraph's
records, not events of the chain.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import numpy as np

from ..service_client import ServiceClient
from .series import Series

VOLUME_ASSET = "FORGE_TRANSFER_VOLUME"
VOLUME_SOURCE = "blockchain subgraph tokenTransferFeed: $FORGE moved between holders per UTC day"
VOLUME_UNIT = "FORGE/day"
FORGE_DECIMALS = 18
PAGE_SIZE = 1_000
ZERO_ADDRESS = "0x" + "0" * 40

FEED_QUERY = """query ($after: String, $first: Int) {
  tokenTransferFeed(after: $after, first: $first) { transfers { from to value status createdAt } cursor hasMore }
}"""


async def read_daily_volume(client: ServiceClient, today: date) -> Series | None:
    """The series, or None when the chain has no transfer yet. Raises ServiceCallFailed."""
    volume: defaultdict[date, int] = defaultdict(int)  # base units: exact until the one conversion below
    after: str | None = None
    while True:
        page = (await client.query(FEED_QUERY, {"after": after, "first": PAGE_SIZE}))["tokenTransferFeed"]
        for transfer in page["transfers"]:
            if transfer["status"] != "REMOVED" and ZERO_ADDRESS not in (transfer["from"], transfer["to"]):
                day = datetime.fromisoformat(transfer["createdAt"].replace("Z", "+00:00")).astimezone(UTC).date()
                volume[day] += int(transfer["value"])
        after = page["cursor"]
        if not page["hasMore"]:
            break
    if not volume:
        return None
    first = min(volume)
    days = tuple(first + timedelta(days=offset) for offset in range((max(today, max(volume)) - first).days + 1))
    values = np.array([volume.get(day, 0) / 10**FORGE_DECIMALS for day in days], dtype=np.float64)
    return Series(VOLUME_ASSET, days, values, VOLUME_SOURCE, VOLUME_UNIT, period="day")


def fetch_daily_volume(
    url: str, signing_secret: str, today: Callable[[], date] = lambda: datetime.now(UTC).date()
) -> Series | None:
    """Blocking, for the training entry point (a worker thread or the command line)."""

    async def read() -> Series | None:
        client = ServiceClient("blockchain transfer feed", url, signing_secret)
        try:
            return await read_daily_volume(client, today())
        finally:
            await client.aclose()

    return asyncio.run(read())
