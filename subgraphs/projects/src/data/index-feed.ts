/**
 * The change feed other subgraphs index projects from (the AI subgraph's semantic search): the
 * current state of every project whose stream got events after a cursor, in the order of the
 * global `project_events.id`. Pub/sub events are only pokes that say "pull now"; this feed is the
 * truth, so a poke that never arrives delays an index but cannot make it wrong.
 */
import type { PrismaClient } from '../generated/prisma/client';
import type { Visibility } from '../generated/prisma/enums';

export interface IndexFeedEntry {
  id: string;
  /** The global id of the project's last event in this page: the cursor once the entry is applied. */
  lastEventId: bigint;
  /** Null when the read model has no row for a stream that has events (the project is gone). */
  row: { ownerId: string; name: string; description: string; visibility: Visibility; version: number } | null;
}

export interface IndexFeedPage {
  entries: IndexFeedEntry[];
  /** The last event id covered: pass it back as `after` for the next page. */
  cursor: bigint;
  hasMore: boolean;
}

interface FeedRow {
  project_id: string;
  last_event_id: bigint;
  owner_id: string | null;
  name: string | null;
  description: string | null;
  visibility: Visibility | null;
  version: number | null;
}

/**
 * One statement, so the rows and the event ids come from one snapshot. Projects are ordered by
 * their last event: every project with an event up to the returned cursor is in this page or an
 * earlier one, so resuming after the cursor misses nothing (appends are serialised in id order,
 * see event-store.ts).
 */
export async function readIndexFeed(prisma: PrismaClient, after: bigint, first: number): Promise<IndexFeedPage> {
  const rows = await prisma.$queryRaw<FeedRow[]>`
    SELECT changed.project_id, changed.last_event_id, p.owner_id, p.name, p.description, p.visibility::text AS visibility, p.version
    FROM (
      SELECT project_id, max(id) AS last_event_id
      FROM project_events
      WHERE id > ${after}
      GROUP BY project_id
      ORDER BY last_event_id
      LIMIT ${first + 1}
    ) AS changed
    LEFT JOIN projects p ON p.id = changed.project_id
    ORDER BY changed.last_event_id`;
  const page = rows.slice(0, first);
  const entries = page.map((row) => ({
    id: row.project_id,
    lastEventId: BigInt(row.last_event_id),
    row:
      row.owner_id === null
        ? null
        : { ownerId: row.owner_id, name: row.name!, description: row.description!, visibility: row.visibility!, version: row.version! },
  }));
  return { entries, cursor: entries.at(-1)?.lastEventId ?? after, hasMore: rows.length > first };
}
