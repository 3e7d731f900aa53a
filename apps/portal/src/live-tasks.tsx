'use client';
import { useEffect, useState } from 'react';
import type { PortalTaskFragment, PortalTaskUpdatedSubscription, TaskStatus } from '../../../clients/generated/graphql';
import { LiveBadge, useLiveSubscription, type LiveOperation } from './live';
import { ListTable } from './list-table';

/** Where a status stands in one attempt: a later state never gives way to an earlier one that arrives late. */
const STAGE: Record<TaskStatus, number> = { QUEUED: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 2, CANCELLED: 2 };
const newer = (a: PortalTaskFragment, b: PortalTaskFragment) => a.attempts > b.attempts || (a.attempts === b.attempts && STAGE[a.status] > STAGE[b.status]);

interface TaskView {
  task: PortalTaskFragment;
  /** Every status this page has seen the task in, in order. */
  seen: TaskStatus[];
}

function merge(views: ReadonlyMap<string, TaskView>, task: PortalTaskFragment): Map<string, TaskView> {
  const next = new Map(views);
  const known = views.get(task.id);
  if (!known) next.set(task.id, { task, seen: [task.status] });
  else if (newer(task, known.task)) next.set(task.id, { task, seen: known.seen.at(-1) === task.status ? known.seen : [...known.seen, task.status] });
  return next;
}

/**
 * A project's tasks, newest first, each status change shown as it happens: the page's server
 * renders the list, and taskUpdated events update it in place without a reload.
 */
export function LiveTasks({ tasks, live }: { tasks: PortalTaskFragment[]; live: LiveOperation<PortalTaskUpdatedSubscription> }) {
  const [views, setViews] = useState(() => tasks.reduce<Map<string, TaskView>>(merge, new Map()));
  // The server renders the list again after a form's action (a task submitted): take in what it knows.
  useEffect(() => setViews((current) => tasks.reduce(merge, current)), [tasks]);
  const state = useLiveSubscription(live, (data) => setViews((current) => merge(current, data.taskUpdated)));

  const rows = [...views.values()].sort((a, b) => b.task.createdAt.localeCompare(a.task.createdAt));
  return (
    <>
      <LiveBadge state={state} />
      {rows.length === 0 ? (
        <p>No tasks yet.</p>
      ) : (
        <ListTable label="Tasks" columns={['Kind', 'Status', 'Seen', 'Attempts', 'Submitted']}>
          {rows.map(({ task, seen }) => (
            <tr key={task.id} data-task={task.id}>
              <td>{task.kind}</td>
              <td data-testid="task-status">
                {task.status}
                {task.error && <span className="muted"> — {task.error}</span>}
              </td>
              <td data-testid="task-seen">{seen.join(' → ')}</td>
              <td>{task.attempts}</td>
              <td>{new Date(task.createdAt).toLocaleTimeString('en')}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </>
  );
}
