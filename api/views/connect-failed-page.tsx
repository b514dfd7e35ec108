import { Layout } from './layout';

/** What the OAuth callback shows when a connect could not finish: why, and the way back. */
export function ConnectFailedPage(props: { platform: string; message: string }) {
  return (
    <Layout title={`Connecting ${props.platform} failed`}>
      <h1>Connecting {props.platform} failed</h1>
      <p class="error" data-field="connect-error">
        {props.message}
      </p>
      <p>
        <a href="/dashboard/accounts">Back to the accounts</a>
      </p>
    </Layout>
  );
}
