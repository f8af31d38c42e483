// Messages between the sim reader (main thread) and the sim worker. Plain data only.
import type { MemoryBlock } from '../types.js';
import type { FirmwareImage } from './firmware-image.js';

export interface SimWorkerData {
  image: FirmwareImage;
  speed: number;
  /** SRAM backing store shared with the reader thread (runner.ts SRAM_BYTES). */
  sram: SharedArrayBuffer;
  /** Int32Array over it: [0] = slice seqlock (odd while the emulator runs a slice). */
  control: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'read'; id: number; blocks: MemoryBlock[] }
  | { type: 'status'; id: number };

export interface SimStatus {
  running: boolean;
  firmwareMs: number;
  failure: string | null;
  warnings: string[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'read-ok'; id: number; data: Uint8Array[] }
  | { type: 'read-fail'; id: number; message: string; address: number; length: number }
  | { type: 'status'; id: number; status: SimStatus }
  | { type: 'failed'; message: string };
