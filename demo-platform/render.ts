/** Sends a hono/jsx page as a full HTML document with a status. */
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { HtmlEscapedString } from 'hono/utils/html';

type Page = HtmlEscapedString | Promise<HtmlEscapedString> | null;

/** `<!doctype html>` + the page; the page's strings are already escaped by JSX. */
export function render(c: Context, page: Page, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(html`<!doctype html>${page}`, status);
}
