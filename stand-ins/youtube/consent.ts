/**
 * What a person does on the local YouTube's consent page, over plain HTTP: opens it, picks a
 * channel, presses Allow. For scripted runs (the demo's `--connect auto`) and tests; the
 * dashboard's Connect button does the same in a real browser.
 */
import { APPROVE_PATH } from './consent-page';

/**
 * Opens `consentUrl`, allows it for `channel` (the first the page offers when not given),
 * and returns the callback URL the page redirects to, with its `code` and `state`.
 * `scope` replaces the requested scopes, as a person unticking a permission does.
 */
export async function approveConsent(consentUrl: string, opts: { channel?: string; scope?: string } = {}): Promise<URL> {
  const consent = await fetch(consentUrl);
  const page = await consent.text();
  if (!consent.ok) throw new Error(`the consent page answered ${consent.status}: ${page.slice(0, 300)}`);
  const channel = opts.channel ?? /<option[^>]*value="([^"]+)"/.exec(page)?.[1];
  if (!channel) throw new Error('the consent page offers no channel');
  // The consent form posts the request's own parameters back with the person's choice.
  const form = new URLSearchParams(new URL(consentUrl).searchParams);
  form.set('channel', channel);
  form.set('decision', 'allow');
  if (opts.scope) form.set('scope', opts.scope);
  const approved = await fetch(new URL(APPROVE_PATH, consentUrl), { method: 'POST', body: form, redirect: 'manual' });
  const back = approved.headers.get('location');
  if (approved.status !== 302 || !back) throw new Error(`the consent page refused: ${approved.status} ${await approved.text()}`);
  return new URL(back);
}
