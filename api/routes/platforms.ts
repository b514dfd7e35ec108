/** The platform doctor over HTTP: `POST /platforms/{platform}/check` checks one account without publishing. */
import { z } from '@hono/zod-openapi';
import { IdSchema } from '../../contracts/bulk-input';
import { createBrowserPool } from '../../platforms/browser-pool';
import { DoctorInputError, checkAccount } from '../../platforms/doctor';
import { createQuotaLedger } from '../../platforms/official-api/quota';
import { getApiPlatform, platformOptions } from '../../platforms/registry';
import type { ApiDeps } from '../deps';
import { jsonBodyRoute } from '../openapi';
import { createRouter, errorResponses, fieldError, jsonBody } from '../validation';

const DoctorStepSchema = z
  .object({
    name: z.string().openapi({ example: 'selector fileInput' }),
    ok: z.boolean(),
    detail: z.string(),
    screenshotPath: z.string().optional().openapi({ description: 'for a browser step that broke: a screenshot of the page, on the API machine' }),
    htmlPath: z.string().optional().openapi({ description: "for a browser step that broke: the page's HTML" }),
  })
  .openapi('DoctorStep');

const DoctorReportSchema = z
  .object({
    platform: z.string(),
    accountId: z.string(),
    kind: z.enum(['browser', 'api']),
    ok: z.boolean().openapi({ description: 'true only when every step is' }),
    steps: z.array(DoctorStepSchema),
    published: z.literal(false).openapi({ description: 'the check stops before publishing' }),
  })
  .openapi('DoctorReport');

const checkRoute = jsonBodyRoute({
  method: 'post',
  path: '/platforms/{platform}/check',
  summary: 'Check one account on a platform, step by step, without publishing (the platform doctor)',
  description:
    'A browser platform: signs in with the account in Chromium, opens the upload page and the post list, and reports each selector of its site file as found or missing, with a screenshot and the HTML of a page that broke. An API platform: its connection, token refresh, what the account may post and the quota left.',
  request: {
    params: z.object({ platform: z.string().min(1).max(64).openapi({ example: 'demo' }) }),
    body: jsonBody(z.object({ accountId: IdSchema }), 'the account to check'),
  },
  responses: {
    200: { description: 'the report; `ok` says whether every step passed', content: { 'application/json': { schema: DoctorReportSchema } } },
    ...errorResponses({ 400: 'a field is invalid, or the account is on another platform', 404: 'no such platform or account' }),
  },
});

/** `/platforms/<platform>/check`. */
export function platformRoutes(deps: ApiDeps) {
  const app = createRouter();
  // The site files as this process started with them, as the worker reads them.
  const platforms = platformOptions(deps.config);

  app.openapi(checkRoute, async (c) => {
    const { platform } = c.req.valid('param');
    const { accountId } = c.req.valid('json');
    // Chromium starts only for a browser platform, and closes with the check: checks are rare.
    const browserPool = createBrowserPool({ ...deps.config.browser, concurrency: 1 });
    try {
      const report = await checkAccount(
        {
          orm: deps.orm,
          secrets: deps.secrets,
          sites: platforms.sites,
          browserPool,
          outputDir: deps.config.platforms.doctorDir,
          api: { orm: deps.orm, connections: deps.connections, quota: createQuotaLedger(deps.orm), apiPlatform: (name) => getApiPlatform(name, platforms) },
        },
        platform,
        accountId,
      );
      return c.json(report, 200);
    } catch (err) {
      if (!(err instanceof DoctorInputError)) throw err;
      return err.notFound ? c.json({ error: err.message }, 404) : c.json(fieldError(err.field, err.message), 400);
    } finally {
      await browserPool.close();
    }
  });

  return app;
}
