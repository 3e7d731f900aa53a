import { PortalNewBlockDocument, PortalWalletDocument } from '../../../../clients/generated/graphql';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { formatForge, formatTokens } from '../../src/forge';
import { LiveBlocks } from '../../src/live-blocks';
import { liveOperation } from '../../src/live-operation';
import { execute } from '../../src/router';
import { requireViewer } from '../../src/viewer';
import { ListTable } from '../../src/list-table';

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** Linked wallets with their balances and latest $FORGE transfers, and the chain's new blocks as they come. */
export default async function WalletPage() {
  const { token } = await requireViewer();
  const result = await execute(PortalWalletDocument, {}, token);
  const me = result.data?.me;
  const wallets = me?.wallets;
  return (
    <>
      <h1>Wallet</h1>
      {!me ? (
        <ErrorList messages={messagesFor(result.errors)} />
      ) : me.walletAddresses.length === 0 ? (
        <p>No wallet linked yet. Link one with Sign-In with Ethereum to see its balances here.</p>
      ) : !wallets ? (
        <div className="unavailable">
          <p>Your wallets&apos; balances could not be loaded.</p>
          <ErrorList messages={messagesFor(result.errors)} />
        </div>
      ) : (
        wallets.map((wallet) => (
          <section key={wallet.address} data-wallet={wallet.address}>
            <h2>
              <code title={wallet.address}>{short(wallet.address)}</code>
            </h2>
            <dl className="facts">
              <dt>$FORGE</dt>
              <dd data-testid="forge-balance">{formatForge(wallet.forgeBalance)}</dd>
              <dt>ETH</dt>
              <dd data-testid="eth-balance">{formatTokens(wallet.ethBalance, 'ETH')}</dd>
            </dl>
            {wallet.recentTransfers.length === 0 ? (
              <p>No $FORGE transfers yet.</p>
            ) : (
              <ListTable label="Recent transfers" columns={['Block', 'Direction', 'Counterparty', 'Amount', 'Status']}>
                {wallet.recentTransfers.map((transfer) => {
                  const incoming = transfer.to.toLowerCase() === wallet.address.toLowerCase();
                  return (
                    <tr key={`${transfer.hash}:${transfer.logIndex}`}>
                      <td>{transfer.blockNumber}</td>
                      <td>{incoming ? 'In' : 'Out'}</td>
                      <td>
                        <code title={incoming ? transfer.from : transfer.to}>{short(incoming ? transfer.from : transfer.to)}</code>
                      </td>
                      <td>{formatForge(transfer.value)}</td>
                      <td>{transfer.status}</td>
                    </tr>
                  );
                })}
              </ListTable>
            )}
          </section>
        ))
      )}
      <h2>New blocks</h2>
      <LiveBlocks head={result.data?.block ?? null} live={liveOperation(PortalNewBlockDocument, {})} />
    </>
  );
}
