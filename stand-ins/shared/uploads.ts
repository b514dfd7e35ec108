/** What every stand-in's resumable upload does the same way, whatever the provider's protocol. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** An upload that takes one writing request at a time. */
export interface UploadTurns {
  /** The request writing now, if any. */
  writer?: http.IncomingMessage;
  /** Settles when the last request let in has finished. */
  tail: Promise<void>;
}

/**
 * Runs `work` once every earlier request on `upload` has finished. The newest request wins: one
 * still writing (from a client that gave up on it) is destroyed to give way.
 */
export async function inTurn(upload: UploadTurns, work: () => Promise<void>): Promise<void> {
  upload.writer?.destroy();
  const previous = upload.tail;
  let release!: () => void;
  upload.tail = new Promise((resolve) => (release = resolve));
  await previous;
  try {
    await work();
  } finally {
    upload.writer = undefined;
    release();
  }
}

/** The SHA-256 of a stored file, hex, as `/_stand-in/state` reports it. */
export async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The first `bytes` bytes of a stored file (fewer when it is shorter), to tell a video from anything else. */
export async function readHead(filePath: string, bytes: number): Promise<Buffer> {
  const file = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The upload faults a provider's `Faults` holds (see shared/faults.ts). */
export interface UploadFaultSource {
  readonly cutAfterBytes: number | undefined;
  readonly bytesPerSecond: number;
  fired(): void;
}

/**
 * The cut and throttle faults applied to one upload body as it is read. Made before the body is
 * read and released in a `finally`; a throttle ends the moment the client goes away.
 */
export class BodyFaults {
  /** The socket, not the request: a request's own 'close' also fires when its body has merely been read. Held because req.socket is detached once the connection is destroyed. */
  readonly socket: http.IncomingMessage['socket'];
  private readonly disconnected = new AbortController();
  private readonly onSocketClose = (): void => this.disconnected.abort();

  constructor(
    req: http.IncomingMessage,
    private readonly faults: UploadFaultSource,
  ) {
    this.socket = req.socket;
    this.socket.once('close', this.onSocketClose);
  }

  /** `buf` trimmed so that no byte past an armed cut is stored (`storedHere` bytes of this body are stored already), and whether the cut falls here. */
  trimToCut(buf: Buffer, storedHere: number): { buf: Buffer; cutHere: boolean } {
    const cut = this.faults.cutAfterBytes;
    const cutHere = cut !== undefined && storedHere + buf.length >= cut;
    return { buf: cutHere ? buf.subarray(0, cut - storedHere) : buf, cutHere };
  }

  /** Waits as long as `bytes` take at the throttled rate, if one is set. */
  async throttle(bytes: number): Promise<void> {
    const rate = this.faults.bytesPerSecond;
    if (rate > 0 && bytes > 0) await sleep((bytes / rate) * 1000, undefined, { signal: this.disconnected.signal });
  }

  /** The cut fires: the connection is destroyed with no answer, and the fault is disarmed. */
  sever(): void {
    this.faults.fired();
    this.socket.destroy();
  }

  release(): void {
    this.socket.off('close', this.onSocketClose);
  }
}
