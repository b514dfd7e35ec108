/**
 * The demo platform's state — accounts, sessions, posts — and the only code that touches
 * `<dataDir>/state.json`. Every change happens synchronously in memory (so a check and the
 * change that follows it cannot interleave with another request) and is then written to
 * disk by replacing the file atomically; the returned promise settles once it is durable.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { hashPassword, newToken, tokenDigest, verifyPassword } from './credentials';

const AccountSchema = z.object({
  username: z.string(),
  passwordHash: z.string(),
  otpCode: z.string().optional(),
  createdAt: z.string(),
});
const SessionSchema = z.object({ digest: z.string(), username: z.string(), expiresAt: z.number() });
const PostSchema = z.object({
  id: z.string(),
  account: z.string(),
  caption: z.string(),
  sha256: z.string(),
  size: z.number(),
  /** File name under `<dataDir>/uploads/`. */
  file: z.string(),
  createdAt: z.string(),
  url: z.string(),
});
const StateFileSchema = z.object({
  accounts: z.array(AccountSchema),
  sessions: z.array(SessionSchema),
  posts: z.array(PostSchema),
});

export type DemoAccount = z.infer<typeof AccountSchema>;
export type DemoSession = z.infer<typeof SessionSchema>;
export type DemoPost = z.infer<typeof PostSchema>;
type StateFile = z.infer<typeof StateFileSchema>;

/** `created`; `unchanged` when it already exists with the same credentials; `conflict` otherwise. */
export type CreateAccountOutcome = 'created' | 'unchanged' | 'conflict';

/** Accounts, sessions and posts of one demo platform, persisted in `<dataDir>/state.json`. */
export class DemoState {
  private readonly accounts = new Map<string, DemoAccount>();
  private readonly sessions = new Map<string, DemoSession>();
  private readonly postsById = new Map<string, DemoPost>();
  private writes: Promise<void> = Promise.resolve();
  private writeSeq = 0;

  private constructor(
    private readonly file: string,
    private readonly sessionTtlMs: number,
    initial: StateFile,
  ) {
    for (const a of initial.accounts) this.accounts.set(a.username, a);
    for (const s of initial.sessions) this.sessions.set(s.digest, s);
    for (const p of initial.posts) this.postsById.set(p.id, p);
  }

  /** Loads `<dataDir>/state.json` (or starts empty); throws naming the file when it is corrupt. */
  static open(dataDir: string, options: { sessionTtlMs: number }): DemoState {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'state.json');
    let raw: string | null = null;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (raw === null) return new DemoState(file, options.sessionTtlMs, { accounts: [], sessions: [], posts: [] });
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Error(`demo platform state is not valid JSON: ${file} (move it away to start empty)`);
    }
    const parsed = StateFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`demo platform state has an unexpected shape: ${file}: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return new DemoState(file, options.sessionTtlMs, parsed.data);
  }

  // ---- accounts ----

  /** Creates an account; idempotent for the same password and one-time code. */
  createAccount(input: { username: string; password: string; otpCode?: string }): { outcome: CreateAccountOutcome; saved: Promise<void> } {
    const existing = this.accounts.get(input.username);
    if (existing) {
      const same = verifyPassword(input.password, existing.passwordHash) && existing.otpCode === input.otpCode;
      return { outcome: same ? 'unchanged' : 'conflict', saved: Promise.resolve() };
    }
    this.accounts.set(input.username, {
      username: input.username,
      passwordHash: hashPassword(input.password),
      otpCode: input.otpCode,
      createdAt: new Date().toISOString(),
    });
    return { outcome: 'created', saved: this.save() };
  }

  /** Every username, sorted. */
  usernames(): string[] {
    return [...this.accounts.keys()].sort();
  }

  /** The account when the username exists and the password matches, else null. */
  checkPassword(username: string, password: string): DemoAccount | null {
    const account = this.accounts.get(username);
    return account && verifyPassword(password, account.passwordHash) ? account : null;
  }

  /** The username when the account's one-time code matches, else null. */
  checkOtp(username: string, otp: string): string | null {
    const expected = this.accounts.get(username)?.otpCode;
    return expected !== undefined && expected === otp ? username : null;
  }

  hasAccount(username: string): boolean {
    return this.accounts.has(username);
  }

  // ---- sessions ----

  /** Starts a session; only the token's digest is stored. */
  startSession(username: string): { token: string; expiresAt: number; saved: Promise<void> } {
    this.pruneSessions();
    const token = newToken();
    const expiresAt = Date.now() + this.sessionTtlMs;
    this.sessions.set(tokenDigest(token), { digest: tokenDigest(token), username, expiresAt });
    return { token, expiresAt, saved: this.save() };
  }

  /** The username a live session token belongs to, or null (unknown, expired or invalidated). */
  sessionUser(token: string): string | null {
    const session = this.sessions.get(tokenDigest(token));
    if (!session || session.expiresAt <= Date.now() || !this.accounts.has(session.username)) return null;
    return session.username;
  }

  /** Invalidates every session of the account; returns how many there were. */
  expireSessions(username: string): { expired: number; saved: Promise<void> } {
    let expired = 0;
    for (const [digest, s] of this.sessions) {
      if (s.username === username) {
        this.sessions.delete(digest);
        expired += 1;
      }
    }
    return { expired, saved: this.save() };
  }

  // ---- posts ----

  /** A post of any account whose file has this SHA-256. */
  postBySha256(sha256: string): DemoPost | undefined {
    for (const p of this.postsById.values()) if (p.sha256 === sha256) return p;
    return undefined;
  }

  /** Adds a post; callers check `postBySha256` first, with no await in between. */
  addPost(post: DemoPost): Promise<void> {
    this.postsById.set(post.id, post);
    return this.save();
  }

  post(id: string): DemoPost | undefined {
    return this.postsById.get(id);
  }

  /** Posts of one account (or all), newest first. */
  posts(account?: string): DemoPost[] {
    return [...this.postsById.values()]
      .filter((p) => account === undefined || p.account === account)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  // ---- persistence ----

  /** Settles when every change made so far is on disk. */
  flush(): Promise<void> {
    return this.writes;
  }

  private pruneSessions(): void {
    const now = Date.now();
    for (const [digest, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(digest);
  }

  /**
   * Snapshots now (so writes land in the order of the changes) and queues the write behind
   * earlier ones; temp file + rename so a crash never leaves a half-written state.json.
   */
  private save(): Promise<void> {
    const snapshot: StateFile = {
      accounts: [...this.accounts.values()],
      sessions: [...this.sessions.values()],
      posts: [...this.postsById.values()],
    };
    const body = JSON.stringify(snapshot, null, 2);
    const tmp = `${this.file}.${process.pid}.${++this.writeSeq}.tmp`;
    const write = this.writes.then(async () => {
      await writeFile(tmp, body);
      await rename(tmp, this.file);
    });
    // A failed write must not wedge every later one; the caller still sees this failure.
    this.writes = write.catch(() => undefined);
    return write;
  }
}
