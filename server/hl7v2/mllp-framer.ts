/** MLLP framing: a message is sent as 0x0B (VT) … 0x1C (FS) 0x0D (CR). */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** What the stream held: a whole frame's content, or a frame refused for its size. */
export type FrameEvent = { frame: Buffer } | { tooLarge: true };

/**
 * Cuts a TCP stream into MLLP frames: a frame may arrive in pieces, several may arrive in one
 * packet, and bytes outside a frame (line noise, a stray newline) are skipped. A frame growing
 * past `maxBytes` is refused as soon as it does, and the rest of it skipped, so no sender fills
 * memory; the next frame starts clean.
 */
export class MllpFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private state: 'outside' | 'inside' | 'skipping' = 'outside';
  /** The last byte seen, when it was an FS that may be followed by the CR in the next chunk. */
  private lastWasFs = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'outside') {
        const start = chunk.indexOf(VT, i);
        if (start < 0) return events;
        this.state = 'inside';
        this.lastWasFs = false;
        i = start + 1;
        continue;
      }
      // Inside (or skipping) a frame: find FS CR, also across chunks.
      if (this.lastWasFs && chunk[i] === CR) {
        this.finish(events, true);
        i += 1;
        continue;
      }
      const end = findEnd(chunk, i);
      if (end === -1) {
        this.take(chunk.subarray(i), events);
        this.lastWasFs = chunk[chunk.length - 1] === FS;
        return events;
      }
      this.take(chunk.subarray(i, end), events);
      this.finish(events, false);
      i = end + 2;
    }
    return events;
  }

  /** Keeps part of a frame; refuses the frame once it is too large. */
  private take(part: Buffer, events: FrameEvent[]): void {
    if (this.state !== 'inside' || part.length === 0) return;
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxBytes) {
      events.push({ tooLarge: true });
      this.pending = [];
      this.pendingBytes = 0;
      this.state = 'skipping';
    }
  }

  /** The frame ended; `fsCarried`: its FS came as the last byte of the chunk before. */
  private finish(events: FrameEvent[], fsCarried: boolean): void {
    if (this.state === 'inside') {
      let content = Buffer.concat(this.pending);
      // An FS that ended the previous chunk is part of the end marker, not of the message.
      if (fsCarried) content = content.subarray(0, content.length - 1);
      events.push({ frame: content });
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.state = 'outside';
    this.lastWasFs = false;
  }
}

function findEnd(chunk: Buffer, from: number): number {
  for (let fs = chunk.indexOf(FS, from); fs >= 0; fs = chunk.indexOf(FS, fs + 1)) {
    if (fs + 1 < chunk.length && chunk[fs + 1] === CR) return fs;
  }
  return -1;
}

/** A message as one MLLP frame. */
export function frame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from([VT]), message, Buffer.from([FS, CR])]);
}
