// Bytes of target memory gathered for one walk attempt, with the read strategy behind it: the walk asks
// for header words; the view answers from blocks already read, or reads more. Counting reads here is
// what the benchmark reports.
import { ProbeError } from '../errors.js';
import type { MemoryBlock, MemoryReader } from '../probe/types.js';

interface Held {
  address: number;
  bytes: Uint8Array;
}

export class MemoryView {
  private held: Held[] = [];
  reads = 0;
  bytesRead = 0;

  constructor(
    private readonly reader: MemoryReader,
    readonly littleEndian: boolean,
  ) {}

  /** One readBlocks call for all `blocks` (each split at the probe's block limit); returns them in order. */
  async read(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const split: MemoryBlock[] = [];
    const owner: number[] = [];
    const max = Math.max(4, this.reader.maxBlockBytes);
    blocks.forEach((b, i) => {
      for (let a = b.address; a < b.address + b.length; a += max) {
        split.push({ address: a, length: Math.min(max, b.address + b.length - a) });
        owner.push(i);
      }
    });
    const got = split.length ? await this.reader.readBlocks(split) : [];
    this.reads++;
    const out = blocks.map((b) => new Uint8Array(b.length));
    got.forEach((bytes, k) => {
      if (bytes.length !== split[k]!.length) {
        throw new ProbeError(`${this.reader.description}: short read at 0x${split[k]!.address.toString(16)}`);
      }
      const i = owner[k]!;
      out[i]!.set(bytes, split[k]!.address - blocks[i]!.address);
      this.bytesRead += bytes.length;
    });
    blocks.forEach((b, i) => this.held.push({ address: b.address, bytes: out[i]! }));
    return out;
  }

  /**
   * Makes [address, address+length) available: as held, else by reading `spanBytes` from the
   * `alignBytes` boundary at or below it (clipped to `bounds`), or exactly those bytes when spanBytes
   * is 0 (node-by-node).
   */
  async ensure(address: number, length: number, spanBytes: number, bounds?: { start: number; end: number }, alignBytes = 1024): Promise<void> {
    if (this.has(address, length)) return;
    if (spanBytes > 0) {
      const lo = Math.max(bounds?.start ?? 0, address - (address % alignBytes));
      const hi = Math.min(bounds?.end ?? Infinity, lo + Math.max(spanBytes, alignBytes));
      if (hi >= address + length) {
        await this.read([{ address: lo, length: hi - lo }]);
        return;
      }
    }
    await this.read([{ address, length }]);
  }

  /** True when [address, address+length) is already held. */
  has(address: number, length: number): boolean {
    return this.find(address, length) !== null;
  }

  /** Unsigned integer of `size` bytes (1..8; above 2^53 precision is lost, sizes never get there). */
  uint(address: number, size: number): number | null {
    const h = this.find(address, size);
    if (!h) return null;
    const o = address - h.address;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const byte = h.bytes[o + (this.littleEndian ? size - 1 - i : i)]!;
      v = v * 256 + byte;
    }
    return v;
  }

  private find(address: number, length: number): Held | null {
    // Latest first: a later read of the same address is the fresher value.
    for (let i = this.held.length - 1; i >= 0; i--) {
      const h = this.held[i]!;
      if (address >= h.address && address + length <= h.address + h.bytes.length) return h;
    }
    return null;
  }
}

export function sameBytes(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
