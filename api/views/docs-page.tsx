import { Layout } from './layout';

interface Operation {
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { schema?: unknown }> };
}

/** A browsable view of the OpenAPI document: every operation, its summary and its body schema. */
export function DocsPage(props: { doc: { paths: Record<string, Record<string, Operation>> } }) {
  return (
    <Layout title="API">
      <h1>clipfleet API</h1>
      <p>
        Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Send <code>Authorization: Bearer $API_TOKEN</code>.
      </p>
      {Object.entries(props.doc.paths).map(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => (
          <section>
            <h3>
              <code>{method.toUpperCase()}</code> <code>{path}</code>
            </h3>
            <p>{op.summary}</p>
            {op.description ? <p class="muted">{op.description}</p> : null}
            {op.requestBody ? (
              <details>
                <summary>request body</summary>
                <pre>{JSON.stringify(op.requestBody.content['application/json']?.schema, null, 2)}</pre>
              </details>
            ) : null}
          </section>
        )),
      )}
    </Layout>
  );
}
