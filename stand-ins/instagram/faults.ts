/**
 * Misbehaviour on demand, switched on over `POST /_stand-in/faults`, so tests can watch a client
 * survive what Meta really does: cut uploads, 5xx, throttling, expired and revoked tokens, a
 * container that fails processing, a reached publishing limit, a slow link.
 */
import { z } from 'zod';
import { FaultState } from '../shared/faults';
import { RATE_LIMIT_CODES, RuploadError, serverError, rateLimited, type GraphError } from './graph-errors';

/**
 * Container processing failures from the Instagram error reference that can befall an uploaded
 * video, with the Graph code each subcode comes with.
 */
export const PROCESSING_FAILURES = {
  2207001: { code: -1, message: 'Instagram server error. Try again.' },
  2207003: { code: -2, message: 'It takes too long to download the media.' },
  2207026: { code: 352, message: 'The video format is not supported. Please check spec for supported video format.' },
  2207053: { code: -1, message: 'unknown upload error' },
} as const;
export type ProcessingSubcode = keyof typeof PROCESSING_FAILURES;
const PROCESSING_SUBCODES = Object.keys(PROCESSING_FAILURES).map(Number) as ProcessingSubcode[];

export const FaultSettingsSchema = z.strictObject({
  /** The next rupload request that stores this many body bytes has its connection destroyed right there, with no answer. One-shot. */
  cutAfterBytes: z.number().int().min(0).optional(),
  /** The next `count` Graph or rupload requests are answered with `status` (Graph codes 1/2, rupload `retriable: true`). */
  failNext: z.strictObject({ count: z.number().int().min(0), status: z.literal([500, 502, 503]) }).optional(),
  /** The next `count` Graph or rupload requests are throttled: `code` (default 4), HTTP `status` (default 429), `Retry-After`. */
  rateLimitNext: z
    .strictObject({
      count: z.number().int().min(0),
      retryAfterSeconds: z.number().int().min(0),
      code: z.literal(RATE_LIMIT_CODES).optional(),
      status: z.literal([429, 400, 403]).optional(),
    })
    .optional(),
  /** Applied at once: every token issued so far is expired (190/463). */
  expireTokens: z.boolean().optional(),
  /** Applied at once: this Facebook user (or the owner of this Instagram account) removed the app (190/458). */
  revokeGrantOf: z.string().min(1).optional(),
  /** Applied at once: this Instagram account (or every one, with `true`) is at its publishing limit until posts age out of the window. */
  reachPublishLimit: z.union([z.literal(true), z.string().min(1)]).optional(),
  /** The next container whose upload completes ends ERROR with this documented subcode and `status` text. One-shot. */
  failProcessingNext: z.strictObject({ subcode: z.literal(PROCESSING_SUBCODES).optional(), status: z.string().min(1).optional() }).optional(),
  /** rupload bodies are read no faster than this; 0 or absent is unthrottled. */
  bytesPerSecond: z.number().min(0).optional(),
});
export type FaultSettings = z.infer<typeof FaultSettingsSchema>;

/** The actions applied when posted, never stored. */
type FaultActions = Pick<FaultSettings, 'expireTokens' | 'revokeGrantOf' | 'reachPublishLimit'>;
/** The faults that last until they are used up. */
type StandingFaults = Omit<FaultSettings, keyof FaultActions>;

/** A processing failure to apply to a container. */
export interface ProcessingFailure {
  code: number;
  subcode: ProcessingSubcode;
  status: string;
}

/** The `status` text Meta gives an ERROR container: the community reports this wording; the reference only says it carries the subcode. */
export const failureStatus = (subcode: number): string => `Error: Media upload has failed with error code ${subcode}`;

/** The live fault settings of one stand-in. */
export class Faults extends FaultState<StandingFaults> {
  /** Merges posted settings into the current ones and returns the actions for the caller to apply. */
  merge(settings: FaultSettings): FaultActions {
    const { expireTokens, revokeGrantOf, reachPublishLimit, ...standing } = settings;
    this.keep(standing);
    return { expireTokens, revokeGrantOf, reachPublishLimit };
  }

  /** The injected answer for one Graph or rupload request, if one is due (counted down). */
  takeRequestFault(kind: 'graph' | 'rupload'): GraphError | RuploadError | undefined {
    const failNext = this.spend('failNext');
    if (failNext) return kind === 'graph' ? serverError(failNext.status) : new RuploadError(failNext.status, true, 'Request processing failed');
    const rateLimitNext = this.spend('rateLimitNext');
    if (rateLimitNext) {
      const status = rateLimitNext.status ?? 429;
      const graph = rateLimited(rateLimitNext.code ?? 4, status, rateLimitNext.retryAfterSeconds);
      return kind === 'graph' ? graph : new RuploadError(status, true, graph.message, graph.details.headers);
    }
    return undefined;
  }

  /** The forced failure of the next finished upload (one-shot). */
  takeProcessingFailure(): ProcessingFailure | undefined {
    const forced = this.take('failProcessingNext');
    if (!forced) return undefined;
    const subcode = forced.subcode ?? 2207026;
    return { code: PROCESSING_FAILURES[subcode].code, subcode, status: forced.status ?? failureStatus(subcode) };
  }
}
