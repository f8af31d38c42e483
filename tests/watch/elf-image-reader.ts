// A MemoryReader over an ELF's load image (PT_LOAD file bytes, zero-fill for .bss): the memory a target
// holds at reset. Real bytes from a real link, read through the same readWatches path a probe uses; it
// stands in for a probe only where the test is about what heapscope does with the bytes.
import type { ElfFile } from '../../src/elf/elf.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../../src/probe/types.js';

export class ElfImageReader implements MemoryReader {
  readonly description = 'elf image';
  readonly nonHalting = true;
  readonly maxBlockBytes = 4096;
  /** Every block asked for, in order (tests check which addresses were read). */
  readonly requests: MemoryBlock[] = [];

  constructor(private readonly elf: ElfFile) {}

  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    this.requests.push(...blocks);
    return blocks.map((b) => this.read(b));
  }

  private read(b: MemoryBlock): Uint8Array {
    for (const s of this.elf.segments) {
      if (s.type !== 1 || b.address < s.vaddr || b.address + b.length > s.vaddr + s.memsz) continue;
      const out = new Uint8Array(b.length);
      const data = s.data();
      const off = b.address - s.vaddr;
      out.set(data.subarray(Math.min(off, data.length), Math.min(off + b.length, data.length)));
      return out;
    }
    throw new Error(`0x${b.address.toString(16)}+${b.length} is outside the ELF's load image`);
  }

  async info(): Promise<ProbeInfo> {
    return { kind: 'elf-image', server: this.elf.path };
  }

  async close(): Promise<void> {}
}
