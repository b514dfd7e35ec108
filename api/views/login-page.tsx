import { useT } from '../i18n';
import { Layout } from './layout';

/** The sign-in form: the API token, posted once, exchanged for a session cookie. */
export function LoginPage(props: { next: string; error?: string }) {
  const t = useT();
  return (
    <Layout title={t('common.login.title')} signedIn={false}>
      <h1>{t('common.login.title')}</h1>
      <p class="muted">{t('common.login.hint')}</p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/login">
        <input type="hidden" name="next" value={props.next} />
        <label>
          {t('common.login.token')} <input type="password" name="token" autocomplete="current-password" required autofocus />
        </label>{' '}
        <button type="submit">{t('common.login.submit')}</button>
      </form>
    </Layout>
  );
}
