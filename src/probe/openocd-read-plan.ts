// Turns a memory block into OpenOCD read commands. A 32-bit read moves four bytes per MEM-AP
// transaction, an 8-bit read one, so aligned spans go as words and only the ragged ends as bytes;
// a short or tiny-span block goes as one 8-bit read when splitting would not save transactions.
import type { MemoryBlock } from './types.js';

export interface ReadCmd {
  address: number;
  width: 8 | 32;
  count: number;
}

/** Extra MEM-AP transactions a separate command costs (CSW + TAR setup, TCL dispatch), roughly. */
const COMMAND_OVERHEAD = 3;

export function planBlockReads(block: MemoryBlock, maxBytesPerCommand: number): ReadCmd[] {
  const { address, length } = block;
  if (length <= 0) return [];
  const head = Math.min((4 - (address % 4)) % 4, length);
  const words = Math.floor((length - head) / 4);
  const tail = length - head - words * 4;
  const extraCommands = (head ? 1 : 0) + (tail ? 1 : 0);
  const splitCost = head + words + tail + COMMAND_OVERHEAD * extraCommands;
  const cmds: ReadCmd[] = [];
  if (words === 0 || splitCost >= length) {
    pushChunks(cmds, address, 8, length, maxBytesPerCommand);
    return cmds;
  }
  if (head) pushChunks(cmds, address, 8, head, maxBytesPerCommand);
  pushChunks(cmds, address + head, 32, words, maxBytesPerCommand);
  if (tail) pushChunks(cmds, address + head + words * 4, 8, tail, maxBytesPerCommand);
  return cmds;
}

function pushChunks(out: ReadCmd[], address: number, width: 8 | 32, count: number, maxBytes: number): void {
  const unit = width / 8;
  const perCmd = Math.max(1, Math.floor(maxBytes / unit));
  for (let done = 0; done < count; done += perCmd) {
    out.push({ address: address + done * unit, width, count: Math.min(perCmd, count - done) });
  }
}

/** Writes the values of one command into `dest` (little-endian target) at `offset`. */
export function placeValues(dest: Uint8Array, offset: number, cmd: ReadCmd, values: readonly number[]): void {
  if (cmd.width === 8) {
    for (let i = 0; i < values.length; i++) dest[offset + i] = values[i]! & 0xff;
    return;
  }
  const view = new DataView(dest.buffer, dest.byteOffset, dest.byteLength);
  for (let i = 0; i < values.length; i++) view.setUint32(offset + i * 4, values[i]! >>> 0, true);
}
