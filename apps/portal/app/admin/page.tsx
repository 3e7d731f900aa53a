import { UsersPageDocument } from '../../../../clients/generated/graphql';
import { ErrorList } from '../../src/error-list';
import { messagesFor } from '../../src/error-messages';
import { execute } from '../../src/router';
import { requireViewer } from '../../src/viewer';

const PAGE_SIZE = 50;

/**
 * Users and their tiers, for admins. The router decides who may read them (`users` requires the
 * admin scope): anyone else gets its FORBIDDEN, shown as a refusal; the portal only hides the link.
 */
export default async function AdminPage() {
  const { token } = await requireViewer();
  const result = await execute(UsersPageDocument, { first: PAGE_SIZE }, token);
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
      <table className="list">
        <thead>
          <tr>
            <th>Email</th>
            <th>Tier</th>
          </tr>
        </thead>
        <tbody>
          {users.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.email}</td>
              <td>{node.tier}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.pageInfo.hasNextPage && <p className="muted">Showing the first {PAGE_SIZE} users.</p>}
    </>
  );
}
