import type { OpenApiDocument } from '../openapi';
import { useT } from '../i18n';
import { Layout } from './layout';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/**
 * A browsable view of the OpenAPI document: every operation, whether it needs the token,
 * its summary, its parameters and its body schema. Public, like the document.
 */
export function DocsPage(props: { doc: OpenApiDocument; signedIn: boolean }) {
  const t = useT();
  const operations = Object.entries(props.doc.paths ?? {}).flatMap(([path, item]) => METHODS.flatMap((method) => (item[method] ? [{ path, method, op: item[method] }] : [])));
  return (
    <Layout title={t('common.nav.api')} signedIn={props.signedIn}>
      <h1>{t('common.docs.title')}</h1>
      <p>
        {t('common.docs.machineReadable')} <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
      </p>
      <p>{t('common.docs.auth', { header: 'Authorization: Bearer $API_TOKEN' })}</p>
      {operations.map(({ path, method, op }) => (
        <section>
          <h3>
            <code>{method.toUpperCase()}</code> <code>{path}</code> <span class="muted">{op.security?.length === 0 ? t('common.docs.public') : t('common.docs.token')}</span>
          </h3>
          <p>{op.summary}</p>
          {op.description ? <p class="muted">{op.description}</p> : null}
          {op.parameters?.length ? (
            <details>
              <summary>{t('common.docs.parameters')}</summary>
              <pre>{JSON.stringify(op.parameters, null, 2)}</pre>
            </details>
          ) : null}
          {op.requestBody && 'content' in op.requestBody ? (
            <details>
              <summary>{t('common.docs.body')}</summary>
              <pre>{JSON.stringify(Object.values(op.requestBody.content)[0]?.schema, null, 2)}</pre>
            </details>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}
