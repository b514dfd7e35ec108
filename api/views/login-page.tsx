import { Layout } from './layout';

/** The sign-in form: the API token, posted once, exchanged for a session cookie. */
export function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <h1>Sign in</h1>
      <p class="muted">Enter the API token (API_TOKEN). The browser keeps a signed session cookie, never the token.</p>
      {props.error ? <p class="error">{props.error}</p> : null}
      <form method="post" action="/login">
        <input type="hidden" name="next" value={props.next} />
        <label>
          API token <input type="password" name="token" autocomplete="current-password" required autofocus />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
