import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeFileName } from './library';

describe('safeFileName', () => {
  it('keeps a plain name, its extension, and nothing of a path', () => {
    assert.equal(safeFileName('clip-01.final.mp4'), 'clip-01.final.mp4');
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\Users\\ann\\My clip (1).mov'), 'My_clip_1.mov');
  });

  it('drops letters outside ASCII (accents kept as their base letter), and names what is left empty "video"', () => {
    assert.equal(safeFileName('Отпуск 2026.mp4'), '2026.mp4');
    assert.equal(safeFileName('видео.mp4'), 'video.mp4');
    assert.equal(safeFileName('café.mp4'), 'cafe.mp4');
    assert.equal(safeFileName('...'), 'video');
    assert.equal(safeFileName('.hidden.mp4'), 'hidden.mp4');
  });

  it('keeps the end of a long name, so the extension survives', () => {
    const name = safeFileName(`${'a'.repeat(300)}.mp4`);
    assert.equal(name.length, 100);
    assert.ok(name.endsWith('.mp4'));
  });
});
