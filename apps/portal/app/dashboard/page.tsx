import Link from 'next/link';
import { PortalDashboardDocument, type PortalDashboardQuery } from '../../../../clients/generated/graphql';
import { DeferredPart, Unavailable } from '../../src/deferred-part';
import { messagesFor } from '../../src/error-messages';
import { formatForge } from '../../src/forge';
import { executeDeferred, type RouterResult } from '../../src/router';
import { requireViewer } from '../../src/viewer';

type DashboardPart = { part: RouterResult<PortalDashboardQuery> };

function Holdings({ part: { data, errors } }: DashboardPart) {
  const me = data?.me;
  // The stake comes from payments and the wallets from blockchain: each shows whenever its own subgraph answered.
  if (!me || (me.stakedForge == null && me.wallets == null)) return <Unavailable what="Your $FORGE holdings" errors={messagesFor(errors)} />;
  const missing = <span className="muted">Unavailable right now.</span>;
  return (
    <dl className="facts" data-part="holdings">
      <dt>Staked</dt>
      <dd>{me.stakedForge == null ? missing : formatForge(me.stakedForge)}</dd>
      <dt>Fee discount</dt>
      <dd>{me.feeDiscount == null ? missing : `${me.feeDiscount} %`}</dd>
      <dt>Wallets</dt>
      <dd>
        {me.wallets == null
          ? missing
          : me.wallets.length === 0
            ? 'No wallet linked yet.'
            : me.wallets.map((wallet) => (
                <div key={wallet.address}>
                  <code>{wallet.address}</code>: {formatForge(wallet.forgeBalance)}
                </div>
              ))}
      </dd>
    </dl>
  );
}

function Recommendations({ part: { data, errors } }: DashboardPart) {
  const recommendations = data?.me?.recommendations;
  if (!recommendations) return <Unavailable what="Recommendations" errors={messagesFor(errors)} />;
  if (recommendations.length === 0) return <p data-part="recommendations">No recommendations yet: they follow from your public projects.</p>;
  return (
    <ol data-part="recommendations">
      {recommendations.map(({ project, score }) => (
        <li key={project.id}>
          <strong>{project.name}</strong> <span className="muted">({Math.round(score * 100)} % match)</span>
          <div className="muted">{project.description}</div>
        </li>
      ))}
    </ol>
  );
}

/**
 * The account renders as soon as the router's primary part is in; holdings and recommendations
 * (other subgraphs, slower) stream into the page behind their placeholders as their deferred parts arrive.
 */
export default async function DashboardPage() {
  const { token } = await requireViewer();
  const dashboard = await executeDeferred(PortalDashboardDocument, {}, token);
  const me = dashboard.initial.data?.me;
  if (!me) return <Unavailable what="Your account" errors={messagesFor(dashboard.initial.errors)} />;
  return (
    <>
      <h1>Welcome, {me.displayName || me.email}</h1>
      <section>
        <h2>Account</h2>
        <dl className="facts">
          {me.email && (
            <>
              <dt>Email</dt>
              <dd>{me.email}</dd>
            </>
          )}
          {me.walletAddresses.length > 0 && (
            <>
              <dt>Signs in with</dt>
              <dd data-testid="wallet-addresses">
                {me.walletAddresses.map((address) => (
                  <div key={address}>
                    <code>{address}</code>
                  </div>
                ))}
              </dd>
            </>
          )}
          <dt>Tier</dt>
          <dd data-testid="tier">{me.tier}</dd>
          <dt>Member since</dt>
          <dd>{new Date(me.createdAt).toLocaleDateString('en')}</dd>
        </dl>
        <p>
          <Link href="/projects">Your projects</Link>
        </p>
      </section>
      <section>
        <h2>$FORGE holdings</h2>
        <DeferredPart result={dashboard} label="holdings" fallback={<p className="muted">Loading your holdings…</p>}>
          {(part) => <Holdings part={part} />}
        </DeferredPart>
      </section>
      <section>
        <h2>Recommended projects</h2>
        <DeferredPart result={dashboard} label="recommendations" fallback={<p className="muted">Finding projects like yours…</p>}>
          {(part) => <Recommendations part={part} />}
        </DeferredPart>
      </section>
    </>
  );
}
