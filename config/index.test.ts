import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './index';

describe('config', () => {
  it('has local defaults for every setting', () => {
    const config = loadConfig({});
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.taskQueue, 'bulk-upload');
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.database.driver, 'sqlite');
    assert.ok(path.isAbsolute(config.media.root));
    assert.equal(config.api.publicUrl, 'http://127.0.0.1:3000');
  });

  it('names the variable that is wrong', () => {
    assert.throws(
      () => loadConfig({ API_PORT: 'eighty', REDIS_URL: 'localhost:6379' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /API_PORT/);
        assert.match(err.message, /REDIS_URL: must start with redis:\/\//);
        return true;
      },
    );
  });

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ TEMPORAL_NAMESPACE: '' }).temporal.namespace, 'default');
  });
});
