/**
 * What a person does in the local Facebook Login dialog, over plain HTTP: opens it, picks who
 * they are, leaves the permissions ticked (or some of them), presses Continue. For scripted runs
 * (the demo's `--connect auto`) and tests; the dashboard's Connect button does the same in a
 * real browser.
 */
import { CONFIRM_PATH, GRANTED_FIELD, REVIEWED_FIELD } from './consent-page';

/**
 * Opens `consentUrl`, continues as `user` (the first the dialog offers when not given), and
 * returns the callback URL the dialog redirects to, with its `code` and `state`. `scope`
 * (comma-separated) is what stays ticked, as a person unticking permissions does; all requested
 * permissions when not given.
 */
export async function approveConsent(consentUrl: string, opts: { user?: string; scope?: string } = {}): Promise<URL> {
  const dialog = await fetch(consentUrl);
  const page = await dialog.text();
  if (!dialog.ok) throw new Error(`the Login dialog answered ${dialog.status}: ${page.slice(0, 300)}`);
  const user = opts.user ?? /<option[^>]*value="([^"]+)"/.exec(page)?.[1];
  if (!user) throw new Error('the Login dialog offers no user');
  // The dialog's form posts the request's own parameters back with the person's choices.
  const request = new URL(consentUrl).searchParams;
  const form = new URLSearchParams(request);
  form.set('user', user);
  form.set(REVIEWED_FIELD, '1');
  for (const scope of (opts.scope ?? request.get('scope') ?? '').split(/[,\s]+/).filter(Boolean)) form.append(GRANTED_FIELD, scope);
  form.set('decision', 'continue');
  const confirmed = await fetch(new URL(CONFIRM_PATH, consentUrl), { method: 'POST', body: form, redirect: 'manual' });
  const back = confirmed.headers.get('location');
  if (confirmed.status !== 302 || !back) throw new Error(`the Login dialog refused: ${confirmed.status} ${await confirmed.text()}`);
  return new URL(back);
}
