/**
 * What a person does on the local TikTok's consent page, over plain HTTP: opens it, picks an
 * account, presses Allow. For scripted runs (the demo's `--connect auto`) and tests; the
 * dashboard's Connect button does the same in a real browser.
 */
import { APPROVE_PATH } from './consent-page';

/**
 * Opens `consentUrl`, allows it for `openId` (the first account the page offers when not given),
 * and returns the callback URL the page redirects to, with its `code`, `scopes` and `state`.
 * `scopes` keeps only those of the requested scopes ticked, as a person unticking a permission does.
 */
export async function approveConsent(consentUrl: string, opts: { openId?: string; scopes?: readonly string[] } = {}): Promise<URL> {
  const consent = await fetch(consentUrl, { redirect: 'manual' });
  const page = await consent.text();
  if (consent.status !== 200) throw new Error(`the consent page answered ${consent.status}: ${consent.headers.get('location') ?? page.slice(0, 300)}`);
  const openId = opts.openId ?? /<option[^>]*value="([^"]+)"/.exec(page)?.[1];
  if (!openId) throw new Error('the consent page offers no account');
  // The consent form posts the request's own parameters back with the person's choice.
  const form = new URLSearchParams(new URL(consentUrl).searchParams);
  const requested = (form.get('scope') ?? '').split(',').filter(Boolean);
  for (const scope of opts.scopes ? requested.filter((s) => opts.scopes?.includes(s)) : requested) form.append('granted_scope', scope);
  form.set('user', openId);
  form.set('decision', 'allow');
  const approved = await fetch(new URL(APPROVE_PATH, consentUrl), { method: 'POST', body: form, redirect: 'manual' });
  const back = approved.headers.get('location');
  if (approved.status !== 302 || !back) throw new Error(`the consent page refused: ${approved.status} ${await approved.text()}`);
  return new URL(back);
}
