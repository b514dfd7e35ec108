/** The media layer: probing, safe path resolution and per-account video variants. */
export { MediaError, MEDIA_ERROR_KINDS, isMediaError, type MediaErrorKind, type MediaErrorOptions } from './errors';
export { configureFfmpeg, decodesToEnd, probe, runFfmpeg, type FfmpegBinaries, type RunFfmpegOptions, type VideoInfo, type DisplayOptions } from './ffmpeg';
export { resolveMediaPath, resolveVideoPath, displayMediaPath, isInside } from './paths';
export { sha256File } from './file-hash';
export { planVariant, type PlanSource, type VariantPlan } from './variant-plan';
export { uniquifyVideo, variantFileName, type UniquifyOptions } from './uniquify';
export { makeSampleVideo, type SampleVideoOptions } from './sample-video';
export {
  createLibrary,
  makeThumbnail,
  safeFileName,
  LibraryError,
  LIBRARY_DIRS,
  MAX_CHUNK_BYTES,
  type Library,
  type LibraryEntry,
  type UploadSession,
  type BulkUse,
} from './library';
