import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIssues } from '../contracts/bulk-input';
import { AccountPatch, accountBody } from './account-input';

const browser = new Set(['demo']);
const put = accountBody(browser);

describe('a proxy written with its credentials in the server URL', () => {
  it('is split: the user and password leave the server, which is all a list shows', () => {
    const body = put.parse({ id: 'a', username: 'a', password: 'pw', proxy: { server: 'http://pu:p%40ss-secret@proxy.example:8080' } });
    assert.deepEqual(body.proxy, { server: 'http://proxy.example:8080', username: 'pu', password: 'p@ss-secret' });
  });

  it('takes a password as written when it holds "@", "/", "#" or is not percent-encoded', () => {
    const body = put.parse({ id: 'a', username: 'a', password: 'pw', proxy: { server: 'http://pu:p@s/s#%zz@proxy.example:8080' } });
    assert.deepEqual(body.proxy, { server: 'http://proxy.example:8080', username: 'pu', password: 'p@s/s#%zz' });
  });

  it('is refused when nothing of a server is left once the credentials are taken out', () => {
    const parsed = put.safeParse({ id: 'a', username: 'a', password: 'pw', proxy: { server: 'http://pu:secret@' } });
    assert.deepEqual(
      describeIssues(parsed.error!).map((i) => i.field),
      ['proxy.server'],
    );
  });

  it('is split the same by PATCH', () => {
    const patch = AccountPatch.parse({ proxy: { server: 'socks5://pu:secret@10.0.0.2:1080' } });
    assert.deepEqual(patch.proxy, { server: 'socks5://10.0.0.2:1080', username: 'pu', password: 'secret' });
  });

  it('keeps a server without credentials as given, and the fields beside it', () => {
    const body = put.parse({ id: 'a', username: 'a', password: 'pw', proxy: { server: 'http://proxy.example:8080', username: 'pu', password: 'x' } });
    assert.deepEqual(body.proxy, { server: 'http://proxy.example:8080', username: 'pu', password: 'x' });
  });

  it('is refused, naming proxy.server, when the user or password in it disagrees with the fields beside it', () => {
    for (const proxy of [
      { server: 'http://pu:secret@proxy.example:8080', username: 'other' },
      { server: 'http://pu:secret@proxy.example:8080', password: 'another-secret' },
    ]) {
      const parsed = put.safeParse({ id: 'a', username: 'a', password: 'pw', proxy });
      assert.equal(parsed.success, false);
      const issues = describeIssues(parsed.error!);
      assert.deepEqual(
        issues.map((i) => i.field),
        ['proxy.server'],
      );
      assert.ok(!JSON.stringify(issues).includes('secret'), 'the message does not repeat the password');
    }
  });
});
