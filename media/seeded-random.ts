/**
 * A small deterministic PRNG for choosing transforms. The same seed must give the same
 * variant on every worker and every retry, so Math.random is never used here.
 */
import { createHash } from 'node:crypto';

/** Draws from a seeded stream; every call advances it. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** +1 or -1 with equal odds. */
  sign(): 1 | -1;
}

/** sha256 of the seed as hex: the root of everything derived from a seed. */
export function seedDigest(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}

/** sfc32 seeded with the first 128 bits of sha256(seed): tiny, fast and well distributed. */
export function seededRandom(seed: string): SeededRandom {
  const digest = Buffer.from(seedDigest(seed), 'hex');
  let a = digest.readUInt32BE(0);
  let b = digest.readUInt32BE(4);
  let c = digest.readUInt32BE(8);
  let d = digest.readUInt32BE(12);

  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Mix the state before the first draw, as sfc32's authors recommend.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = () => nextUint32() / 4_294_967_296;
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    sign: () => (next() < 0.5 ? -1 : 1),
  };
}
