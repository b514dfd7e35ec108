import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { z } from 'zod';
import { FAILURE, NON_RETRYABLE_FAILURES } from '../contracts/failure-types';
import { SecretsKeyError } from '../database/secrets';
import { MediaError } from '../media';
import { PlatformError } from '../platforms/adapter';
import { PlatformNotConfiguredError, QuotaExhaustedError, RateLimitedError, ReauthorizeError } from '../platforms/official-api/errors';
import { UnknownPlatformError } from '../platforms/registry';
import { parseActivityInput, toActivityFailure } from './errors';

const asFailure = (err: unknown): ApplicationFailure => {
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
  return err;
};

describe('toActivityFailure: what a retry cannot fix is non-retryable, with a type the workflow branches on', () => {
  it('media errors a retry cannot fix', () => {
    for (const [kind, type] of [
      ['not_found', FAILURE.VideoNotFound],
      ['not_a_video', FAILURE.NotAVideo],
      ['outside_media_root', FAILURE.PathOutsideMediaRoot],
      ['too_large', FAILURE.VideoTooLarge],
    ] as const) {
      const failure = asFailure(toActivityFailure(new MediaError(kind, 'media/a.mp4')));
      assert.deepEqual([failure.type, failure.nonRetryable], [type, true], kind);
      assert.match(failure.message, /media\/a\.mp4/);
    }
  });

  it('a failed ffmpeg run stays retryable as it is', () => {
    const err = new MediaError('ffmpeg_failed', 'media/a.mp4');
    assert.equal(toActivityFailure(err), err);
  });

  it('platform errors: refused credentials and content are final, an outage is retried', () => {
    const bad = asFailure(toActivityFailure(new PlatformError({ platform: 'demo', kind: 'bad_credentials', detail: 'sign-in rejected' })));
    assert.deepEqual([bad.type, bad.nonRetryable, bad.message], [FAILURE.BadCredentials, true, 'demo: sign-in rejected']);
    const down = asFailure(toActivityFailure(new PlatformError({ platform: 'demo', kind: 'unavailable', detail: '503' })));
    assert.deepEqual([down.type, down.nonRetryable], ['Platform_unavailable', false]);
  });

  it('an unknown platform and an unusable secrets key are final', () => {
    assert.equal(asFailure(toActivityFailure(new UnknownPlatformError('myspace'))).type, FAILURE.UnknownPlatform);
    assert.equal(asFailure(toActivityFailure(new SecretsKeyError('wrong key'))).type, FAILURE.SecretsKey);
  });

  it('API platforms: a lost authorization is final and says what to do; a spent quota carries when it resets; a 429 waits its Retry-After', () => {
    const reauth = asFailure(toActivityFailure(new ReauthorizeError('yt-1', 'youtube refused its refresh token: invalid_grant')));
    assert.deepEqual([reauth.type, reauth.nonRetryable], [FAILURE.Reauthorize, true]);
    assert.match(reauth.message, /account yt-1 must be connected again .*invalid_grant.*Connect/);
    const resetsAt = new Date('2026-11-25T08:00:00Z');
    const quota = asFailure(toActivityFailure(new QuotaExhaustedError('youtube', resetsAt, 'spent')));
    assert.deepEqual([quota.type, quota.nonRetryable, quota.details], [FAILURE.QuotaExhausted, true, [{ resetsAt: resetsAt.toISOString() }]]);
    const limited = asFailure(toActivityFailure(new RateLimitedError('youtube', 7_000, '429')));
    assert.deepEqual([limited.type, limited.nonRetryable, limited.nextRetryDelay], [FAILURE.RateLimited, false, 7_000]);
    const unconfigured = asFailure(toActivityFailure(new PlatformNotConfiguredError('youtube', 'YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET')));
    assert.deepEqual([unconfigured.type, unconfigured.nonRetryable], [FAILURE.PlatformNotConfigured, true]);
  });

  it('every type it makes non-retryable is one the retry policies stop at', () => {
    for (const type of [
      FAILURE.VideoNotFound,
      FAILURE.NotAVideo,
      FAILURE.PathOutsideMediaRoot,
      FAILURE.VideoTooLarge,
      FAILURE.BadCredentials,
      FAILURE.UnknownPlatform,
      FAILURE.SecretsKey,
      FAILURE.Reauthorize,
      FAILURE.PlatformNotConfigured,
      FAILURE.QuotaExhausted,
    ]) {
      assert.ok(NON_RETRYABLE_FAILURES.includes(type), type);
    }
  });

  it('once cancelled, whatever the cleanup threw is reported as the cancellation', () => {
    const cancel = new AbortController();
    cancel.abort(new CancelledFailure('CANCELLED'));
    const stopped = toActivityFailure(new Error('ffmpeg was stopped'), cancel.signal);
    assert.ok(stopped instanceof CancelledFailure);
    assert.equal(stopped, cancel.signal.reason, 'the activity reports the cancellation it was given');

    const plain = new AbortController();
    plain.abort(new Error('worker shutting down'));
    const fromPlain = toActivityFailure(new MediaError('not_found', 'a.mp4'), plain.signal);
    assert.ok(fromPlain instanceof CancelledFailure);
    assert.match(fromPlain.message, /worker shutting down/);
  });

  it('anything else is passed on unchanged, so Temporal retries it', () => {
    const err = new Error('socket hang up');
    assert.equal(toActivityFailure(err, new AbortController().signal), err);
  });
});

describe('parseActivityInput', () => {
  const schema = z.object({ taskId: z.string().min(1), count: z.number().int() });

  it('returns the parsed input', () => {
    assert.deepEqual(parseActivityInput('demo', schema, { taskId: 't', count: 2 }), { taskId: 't', count: 2 });
  });

  it('refuses bad input for good, naming the activity and every bad field', () => {
    assert.throws(
      () => parseActivityInput('demo', schema, { taskId: '', count: 1.5 }),
      (err: unknown) => {
        const failure = asFailure(err);
        return failure.type === FAILURE.InvalidInput && failure.nonRetryable && /^demo: invalid input: taskId: .+; count: /.test(failure.message);
      },
    );
  });
});
