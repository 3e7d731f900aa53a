'use client';
import { useState } from 'react';
import type { PortalBlockFragment, PortalNewBlockSubscription } from '../../../clients/generated/graphql';
import { LiveBadge, useLiveSubscription, type LiveOperation } from './live';
import { ListTable } from './list-table';

const SHOWN = 5;

/** The chain's latest blocks, newest first: the head the page was rendered with, then each new block as it is mined. */
export function LiveBlocks({ head, live }: { head: PortalBlockFragment | null; live: LiveOperation<PortalNewBlockSubscription> }) {
  const [blocks, setBlocks] = useState<PortalBlockFragment[]>(head ? [head] : []);
  const state = useLiveSubscription(live, ({ newBlock }) =>
    setBlocks((current) => [newBlock, ...current.filter((block) => block.number !== newBlock.number)].sort((a, b) => b.number - a.number).slice(0, SHOWN)),
  );
  return (
    <>
      <LiveBadge state={state} />
      {blocks.length === 0 ? (
        <p>No block seen yet.</p>
      ) : (
        <ListTable label="Latest blocks" columns={['Block', 'Hash', 'Transactions', 'Time']}>
          {blocks.map((block) => (
            <tr key={block.number} data-block={block.number}>
              <td>{block.number}</td>
              <td>
                <code>{block.hash.slice(0, 18)}…</code>
              </td>
              <td>{block.transactionCount}</td>
              <td>{new Date(block.timestamp).toLocaleTimeString('en')}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </>
  );
}
