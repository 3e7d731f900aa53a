import { PortalAdminUsersDocument, type PortalAdminUsersQuery, type Tier } from '../../../../clients/generated/graphql';
import { ActionForm } from '../../src/action-form';
import { DeferredPart, Unavailable } from '../../src/deferred-part';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { executeDeferred, type DeferredResult } from '../../src/router';
import { requireViewer } from '../../src/viewer';
import { changeTier } from '../actions';
import { ListTable } from '../../src/list-table';

const PAGE_SIZE = 50;
const TIERS: readonly Tier[] = ['FREE', 'PRO', 'ENTERPRISE'];

type Payments = { fraudScore: { score: number; isAnomaly: boolean } | null }[] | null;

/** The highest fraud score among a user's payments, flagged when any payment is an anomaly. */
function FraudCell({ payments }: { payments: Payments }) {
  if (payments === null) return <td className="unavailable">unavailable</td>;
  const scores = payments.flatMap((payment) => (payment.fraudScore ? [payment.fraudScore] : []));
  if (payments.length === 0) return <td className="muted">no payments</td>;
  // Unscored payments: the AI subgraph did not answer.
  if (scores.length === 0) return <td className="unavailable">unavailable</td>;
  const highest = Math.max(...scores.map((score) => score.score));
  const anomalies = scores.filter((score) => score.isAnomaly).length;
  return (
    <td>
      <span data-testid="highest-fraud-score">{highest.toFixed(2)}</span>
      {anomalies > 0 && (
        <strong className="errors" data-testid="anomalies">
          {' '}
          {anomalies} anomalous
        </strong>
      )}
    </td>
  );
}

/** Where the `leadScore` fragment of the user in row `index` lands in the response. */
const userPath = (index: number) => ['users', 'edges', index, 'node'] as const;

/** How many of a lead score's factors (largest effect first) the table names. */
const FACTORS_SHOWN = 2;

/** A user's lead score and band with the factors that weigh most, streamed in when the AI subgraph has scored them. */
function LeadScoreCell({ admin, index }: { admin: DeferredResult<PortalAdminUsersQuery>; index: number }) {
  return (
    <td>
      <DeferredPart result={admin} label="leadScore" path={userPath(index)} fallback={<span className="muted">Scoring…</span>}>
        {({ data, errors }) => {
          const leadScore = data?.users?.edges[index]?.node.leadScore;
          if (!leadScore) return <Unavailable what="The lead score" errors={messagesFor(errors)} />;
          return (
            <>
              <span data-testid="lead-score">{leadScore.score.toFixed(2)}</span> <strong data-testid="lead-band">{leadScore.band}</strong>
              <div className="muted">
                {leadScore.factors
                  .slice(0, FACTORS_SHOWN)
                  .map(({ feature, value, contribution }) => `${feature} ${value} (${contribution > 0 ? '+' : ''}${contribution.toFixed(2)})`)
                  .join(', ')}
              </div>
            </>
          );
        }}
      </DeferredPart>
    </td>
  );
}

/**
 * Users, their tiers (an admin changes them here) and their payments' fraud scores. The router
 * decides who may read them (`users` requires the admin scope): anyone else gets its FORBIDDEN,
 * shown as a refusal; the portal only hides the link. Lead scores (the AI subgraph, slower) follow the
 * table into the page as the router delivers them.
 */
export default async function AdminPage() {
  const { token } = await requireViewer();
  const admin = await executeDeferred(PortalAdminUsersDocument, { first: PAGE_SIZE }, token);
  const result = admin.initial;
  const users = result.data?.users;
  if (!users) {
    return (
      <>
        <h1>Admin</h1>
        <ErrorList messages={messagesFor(result.errors)} />
      </>
    );
  }
  return (
    <>
      <h1>Admin</h1>
      <h2>Users</h2>
      {result.errors && (
        <div className="unavailable">
          <p>Some details could not be loaded.</p>
          <ErrorList messages={messagesFor(result.errors)} />
        </div>
      )}
      <ListTable label="Users" columns={['Email', 'Role', 'Tier', 'Highest fraud score', 'Lead score', 'Change tier']}>
        {users.edges.map(({ node }, index) => (
          <tr key={node.id} data-user={node.email ?? node.id}>
            <td>{node.email}</td>
            <td>{node.roles.includes('ADMIN') ? 'Admin' : 'User'}</td>
            <td data-testid="tier">{node.tier}</td>
            <FraudCell payments={node.payments} />
            <LeadScoreCell admin={admin} index={index} />
            <td>
              {/* Keyed by the tier: after a change the form starts again from the new one (React resets a form after its action). */}
              <ActionForm key={node.tier} action={changeTier} submitLabel="Change" pendingLabel="Changing…">
                <input type="hidden" name="userId" value={node.id} />
                <select name="tier" defaultValue={node.tier} aria-label={`Tier of ${node.email ?? node.id}`}>
                  {TIERS.map((tier) => (
                    <option key={tier} value={tier}>
                      {tier}
                    </option>
                  ))}
                </select>
              </ActionForm>
            </td>
          </tr>
        ))}
      </ListTable>
      {users.pageInfo.hasNextPage && <p className="muted">Showing the first {PAGE_SIZE} users.</p>}
    </>
  );
}
