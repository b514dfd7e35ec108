import type { PlatformKind } from '../../contracts/platforms';
import type { ConnectionView } from '../../platforms/official-api/connections';
import { Layout, TableHead } from './layout';

/** One account as the Accounts page lists it: never a secret. */
export interface AccountRow {
  id: string;
  platform: string;
  kind: PlatformKind;
  username: string;
  /** API accounts: their OAuth connection, `null` until connected. */
  connection: ConnectionView | null;
}

export interface AccountsPageProps {
  accounts: AccountRow[];
  /** The account a consent round trip just connected (`?connected=`): announced if it is connected now. */
  connected?: string;
  /** Why the last Connect could not start. */
  error?: string;
}

/** The path the Connect button of an account posts to. */
export function connectPath(accountId: string): string {
  return `/dashboard/accounts/${encodeURIComponent(accountId)}/connect`;
}

/** Who a connection acts as: the channel's name, else its id, since a platform may not tell a name. */
function actsAs(connection: ConnectionView): string {
  return connection.externalName ?? connection.externalId ?? 'an unnamed account';
}

function ConnectionCell(props: { account: AccountRow }) {
  const { kind, connection } = props.account;
  if (kind === 'browser') return <span class="muted">signs in with its username and password</span>;
  if (!connection) return <span class="status">not connected</span>;
  if (connection.status === 'needs_reconnect') {
    return (
      <>
        <span class="status status-needs_reconnect">needs reconnect</span>: <span class="error">{connection.lastError ?? 'its authorization was revoked'}</span>
      </>
    );
  }
  return (
    <>
      <span class="status status-connected">connected</span> as <strong>{actsAs(connection)}</strong>
    </>
  );
}

/**
 * Every account, and for an API account its OAuth connection and a Connect button. The
 * button is a plain form post: the server answers with a redirect to the provider's consent
 * page, which sends the browser back here (`?connected=<id>`) once the person allowed it.
 */
export function AccountsPage(props: AccountsPageProps) {
  // A stale or hand-typed `?connected=` names no live connection, and then nothing is announced.
  const justConnected = props.accounts.find((a) => a.id === props.connected)?.connection;
  return (
    <Layout title="Accounts">
      <h1>Accounts</h1>
      {justConnected?.status === 'connected' ? (
        <p class="notice" role="status" data-field="notice">
          {props.connected} connected as {actsAs(justConnected)}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert" data-field="connect-error">
          {props.error}
        </p>
      ) : null}
      <p class="muted">
        Accounts are added with <code>PUT /accounts</code> (see <a href="/docs">API</a>). An account on an API platform is connected, not given a password: Connect opens the
        platform's consent page, signed in as the account's owner.
      </p>
      <table data-accounts>
        <TableHead columns={['account', 'platform', 'kind', 'username', 'connection', '']} />
        <tbody>
          {props.accounts.map((a) => (
            <tr data-account={a.id} class={a.connection?.status === 'needs_reconnect' ? 'needs-reconnect' : undefined}>
              <td>{a.id}</td>
              <td>{a.platform}</td>
              <td>{a.kind}</td>
              <td>{a.username}</td>
              <td data-field="connection">
                <ConnectionCell account={a} />
              </td>
              <td>
                {a.kind === 'api' ? (
                  <form class="inline" method="post" action={connectPath(a.id)}>
                    <button type="submit">{a.connection ? 'Reconnect' : 'Connect'}</button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.accounts.length === 0 ? <p class="muted">No accounts yet.</p> : null}
    </Layout>
  );
}
