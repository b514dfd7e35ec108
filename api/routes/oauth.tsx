/**
 * `GET /oauth/callback/<platform>`: where a provider sends the person back after consent.
 * Public, because the provider's redirect carries no bearer token: the single-use `state`,
 * bound to the account when Connect was pressed, is what authorises it.
 */
import { z } from '@hono/zod-openapi';
import { API_PLATFORM_NAMES, platformKind } from '../../contracts/platforms';
import { ConnectError } from '../../platforms/official-api/connections';
import type { ApiDeps } from '../deps';
import { publicRoute } from '../openapi';
import { createRouter, htmlResponse } from '../validation';
import { ConnectFailedPage } from '../views/connect-failed-page';
import { htmlPage } from '../views/layout';

const PlatformParam = z.object({
  platform: z
    .string()
    .max(32)
    .openapi({ description: `an API platform (${API_PLATFORM_NAMES.join(', ')})` }),
});
const CallbackQuery = z.object({
  code: z.string().max(4_096).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  scope: z.string().max(4_096).optional(),
});

const callbackRoute = publicRoute({
  method: 'get',
  path: '/oauth/callback/{platform}',
  summary: "OAuth 2.0 redirect URI: finishes connecting an account (the provider's redirect, not called by hand)",
  request: { params: PlatformParam, query: CallbackQuery },
  responses: {
    303: { description: 'connected: on to the Accounts page' },
    400: htmlResponse('the state is unknown, used or expired, or the person did not grant access'),
    404: htmlResponse('not an API platform'),
    502: htmlResponse('the provider failed to exchange the code'),
  },
});

/** The OAuth callback route. */
export function oauthRoutes(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(callbackRoute, async (c) => {
    const { platform } = c.req.valid('param');
    if (platformKind(platform) !== 'api') return htmlPage(c, <ConnectFailedPage platform={platform} message={`"${platform}" is not an API platform`} />, 404);
    try {
      const { accountId } = await deps.connections.complete(platform, c.req.valid('query'));
      return c.redirect(`/dashboard/accounts?connected=${encodeURIComponent(accountId)}`, 303);
    } catch (err) {
      if (!(err instanceof ConnectError)) throw err;
      const status = err.status === 502 ? 502 : 400;
      return htmlPage(c, <ConnectFailedPage platform={platform} message={err.message} />, status);
    }
  });

  return app;
}
