/**
 * Tells a video file from anything else by its container signature (magic bytes), the way
 * a hosting site's first check does before it spends time on transcoding.
 */

/** Files smaller than this cannot hold a playable video, whatever their header says. */
export const MIN_VIDEO_BYTES = 1024;

export interface VideoContainer {
  container: 'mp4' | 'mov' | 'webm' | 'matroska' | 'avi' | 'mpeg-ts' | 'mpeg-ps' | 'flv';
  /** File extension the platform stores it under. */
  ext: string;
}

/** ISO-BMFF brands that are still images, not video (HEIC/AVIF photos also start with `ftyp`). */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis']);
/** Top-level QuickTime atoms that old .mov files start with instead of `ftyp`. */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const ascii = (bytes: Uint8Array, start: number, end: number): string => Buffer.from(bytes.subarray(start, end)).toString('latin1');

/** The container of `bytes`, or null when it is not a video this platform accepts. */
export function detectVideoContainer(bytes: Uint8Array): VideoContainer | null {
  if (bytes.length < MIN_VIDEO_BYTES) return null;
  const boxType = ascii(bytes, 4, 8);
  if (boxType === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    if (IMAGE_BRANDS.has(brand)) return null;
    return brand === 'qt  ' ? { container: 'mov', ext: '.mov' } : { container: 'mp4', ext: '.mp4' };
  }
  if (QUICKTIME_ATOMS.has(boxType)) return { container: 'mov', ext: '.mov' };
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    // The EBML DocType sits in the first few dozen bytes: "webm" or "matroska".
    return ascii(bytes, 0, 64).includes('webm') ? { container: 'webm', ext: '.webm' } : { container: 'matroska', ext: '.mkv' };
  }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'AVI ') return { container: 'avi', ext: '.avi' };
  if (bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47) return { container: 'mpeg-ts', ext: '.ts' };
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0xba) return { container: 'mpeg-ps', ext: '.mpg' };
  if (ascii(bytes, 0, 3) === 'FLV') return { container: 'flv', ext: '.flv' };
  return null;
}
