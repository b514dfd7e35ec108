import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectVideoContainer, MIN_VIDEO_BYTES } from './video-signature';

/** `head` followed by zeros up to a plausible size. */
const file = (head: number[] | string, size = MIN_VIDEO_BYTES * 2): Uint8Array => {
  const bytes = new Uint8Array(size);
  bytes.set(typeof head === 'string' ? Buffer.from(head, 'latin1') : head);
  return bytes;
};

test('MP4, MOV, WebM, Matroska and AVI are recognised by their signatures', () => {
  assert.equal(detectVideoContainer(file('\0\0\0\x20ftypisom'))?.container, 'mp4');
  assert.equal(detectVideoContainer(file('\0\0\0\x14ftypqt  '))?.ext, '.mov');
  assert.equal(detectVideoContainer(file('\0\0\0\x08moov'))?.container, 'mov');
  assert.equal(detectVideoContainer(file([0x1a, 0x45, 0xdf, 0xa3, ...Buffer.from('\x42\x82\x84webm')]))?.ext, '.webm');
  assert.equal(detectVideoContainer(file([0x1a, 0x45, 0xdf, 0xa3, ...Buffer.from('\x42\x82\x88matroska')]))?.ext, '.mkv');
  assert.equal(detectVideoContainer(file('RIFF\0\0\0\0AVI LIST'))?.container, 'avi');
});

test('images in ISO containers, text and tiny files are not videos', () => {
  assert.equal(detectVideoContainer(file('\0\0\0\x18ftypheic')), null);
  assert.equal(detectVideoContainer(file('\0\0\0\x18ftypavif')), null);
  assert.equal(detectVideoContainer(file('hello world, not a video')), null);
  assert.equal(detectVideoContainer(file('\0\0\0\x20ftypisom', 100)), null);
});
