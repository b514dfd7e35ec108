import { useT } from '../i18n';
import { Layout } from './layout';

/** What the OAuth callback shows when a connect could not finish: why, and the way back. */
export function ConnectFailedPage(props: { platform: string; message: string }) {
  const t = useT();
  const title = t('common.connectFailed.title', { platform: props.platform });
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p class="error" data-field="connect-error">
        {props.message}
      </p>
      <p>
        <a href="/dashboard/accounts">{t('common.connectFailed.back')}</a>
      </p>
    </Layout>
  );
}
