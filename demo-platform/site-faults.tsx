/** Fault injection for the site pages, and the 503 page the adapter reads as `unavailable`. */
import type { Context, MiddlewareHandler } from 'hono';
import type { Faults } from './faults';
import { MessagePage } from './pages';
import { render } from './render';
import type { SiteEnv } from './session';

export const UNAVAILABLE = 'Service temporarily unavailable, please try again later';
/** Only the pages clipfleet drives fail at random; the home page and media stay up. */
const FAULTED_PREFIXES = ['/login', '/upload', '/posts'];

/** The 503 a flaky platform answers, with a hint when to come back. */
export function unavailable(c: Context<SiteEnv>): Response | Promise<Response> {
  c.header('Retry-After', '5');
  return render(c, <MessagePage title="Unavailable" message={UNAVAILABLE} user={c.var.user} />, 503);
}

/** Answers 503 to a share (`failRate`) of faulted site requests, before anything else runs. */
export function randomFailures(faults: Faults): MiddlewareHandler<SiteEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const faulted = FAULTED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    if (faulted && faults.shouldFail()) return unavailable(c);
    await next();
  };
}
