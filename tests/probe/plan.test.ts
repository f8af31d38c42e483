import { describe, expect, it } from 'vitest';
import { extractRange, planReads } from '../../src/sample/plan.js';

describe('planReads', () => {
  it('merges ranges closer than maxGap into one block', () => {
    const plan = planReads([{ address: 0x100, length: 4 }, { address: 0x110, length: 4 }], { maxGap: 16, maxBlockBytes: 1024 });
    expect(plan.blocks).toEqual([{ address: 0x100, length: 0x14 }]);
  });

  it('keeps ranges farther apart than maxGap in separate blocks', () => {
    const plan = planReads([{ address: 0x100, length: 4 }, { address: 0x200, length: 4 }], { maxGap: 16, maxBlockBytes: 1024 });
    expect(plan.blocks).toEqual([{ address: 0x100, length: 4 }, { address: 0x200, length: 4 }]);
  });

  it('does not grow a block past maxBlockBytes by merging', () => {
    const plan = planReads([{ address: 0, length: 8 }, { address: 8, length: 8 }], { maxGap: 64, maxBlockBytes: 12 });
    expect(plan.blocks).toEqual([{ address: 0, length: 8 }, { address: 8, length: 8 }]);
  });

  it('splits a range larger than maxBlockBytes and maps it back in pieces', () => {
    const plan = planReads([{ address: 0x1000, length: 10 }], { maxGap: 0, maxBlockBytes: 4 });
    expect(plan.blocks.map((b) => b.length)).toEqual([4, 4, 2]);
    const data = plan.blocks.map((b) => Uint8Array.from({ length: b.length }, (_, i) => b.address - 0x1000 + i));
    expect([...extractRange(plan, 0, 10, data)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('maps every range (given in any order, overlapping) back to its own bytes', () => {
    const ranges = [{ address: 0x30, length: 4 }, { address: 0x10, length: 8 }, { address: 0x14, length: 2 }];
    const plan = planReads(ranges, { maxGap: 32, maxBlockBytes: 256 });
    expect(plan.blocks).toEqual([{ address: 0x10, length: 0x24 }]);
    const mem = Uint8Array.from({ length: 0x24 }, (_, i) => 0x10 + i);
    expect([...extractRange(plan, 0, 4, [mem])]).toEqual([0x30, 0x31, 0x32, 0x33]);
    expect([...extractRange(plan, 2, 2, [mem])]).toEqual([0x14, 0x15]);
  });
});
