/**
 * Sign-in: username and password, then a one-time code when the account has one.
 * Success starts a server-side session, sets the cookie and lands on /upload.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { newToken } from './credentials';
import { LoginPage, OtpPage } from './pages';
import { render } from './render';
import { setSessionCookie, type SiteEnv } from './session';
import type { DemoState } from './state';

/** The messages the adapter maps to `bad_credentials`; keep them in step with platforms/sites/demo.json. */
export const INVALID_CREDENTIALS = 'Invalid username or password';
export const INVALID_OTP = 'Invalid one-time code';
const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_OTP_ATTEMPTS = 5;

interface Challenge {
  username: string;
  expiresAt: number;
  attempts: number;
}

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value : '';
};

/** GET/POST /login and POST /login/otp. */
export function loginRoutes(state: DemoState): Hono<SiteEnv> {
  // Half-finished sign-ins only matter for a few minutes, so they stay in memory.
  const challenges = new Map<string, Challenge>();

  const signIn = async (c: Context<SiteEnv>, username: string): Promise<Response> => {
    const session = state.startSession(username);
    await session.saved;
    setSessionCookie(c, session.token, session.expiresAt);
    return c.redirect('/upload', 303);
  };

  return new Hono<SiteEnv>()
    .get('/login', (c) => (c.var.user ? c.redirect('/upload') : render(c, <LoginPage />)))
    .post('/login', async (c) => {
      const body = await c.req.parseBody();
      const username = field(body, 'username').trim();
      const account = state.checkPassword(username, field(body, 'password'));
      if (!account) return render(c, <LoginPage error={INVALID_CREDENTIALS} username={username} />, 401);
      if (!account.otpCode) return signIn(c, account.username);

      const now = Date.now();
      for (const [id, ch] of challenges) if (ch.expiresAt <= now) challenges.delete(id);
      const challenge = newToken();
      challenges.set(challenge, { username: account.username, expiresAt: now + CHALLENGE_TTL_MS, attempts: 0 });
      return render(c, <OtpPage challenge={challenge} />);
    })
    .post('/login/otp', async (c) => {
      const body = await c.req.parseBody();
      const challengeId = field(body, 'challenge');
      const challenge = challenges.get(challengeId);
      if (!challenge || challenge.expiresAt <= Date.now() || challenge.attempts >= MAX_OTP_ATTEMPTS) {
        challenges.delete(challengeId);
        return render(c, <LoginPage error="Sign-in expired, please sign in again" />, 401);
      }
      const account = state.checkOtp(challenge.username, field(body, 'otp').trim());
      if (!account) {
        challenge.attempts += 1;
        return render(c, <OtpPage challenge={challengeId} error={INVALID_OTP} />, 401);
      }
      challenges.delete(challengeId);
      return signIn(c, account);
    });
}
