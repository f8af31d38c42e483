// The bundled heap-demo firmware (firmware/prebuilt, Cortex-M0+) running in rp2040js behind the
// simulated AHB-AP, read through the real OpenOCD by name: ELF + DWARF -> watches -> openocd://.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDebugInfo } from '../../src/elf/dwarf/index.js';
import { openElf, type ElfFile } from '../../src/elf/elf.js';
import { openOpenOcd } from '../../src/probe/openocd-tcl.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { readWatches } from '../../src/sample/read-watches.js';
import { resolveWatch } from '../../src/watch/index.js';
import { startOpenOcd, type OpenOcdPeer } from '../peers/jtag-openocd.js';
import { startJtagSim, type JtagSim } from '../peers/jtag-remote-bitbang.js';

const ELF = resolve('firmware/prebuilt/heapdemo-m0plus-sawtooth.elf');
// Bit-banged JTAG on a loaded 2-core CI machine can take seconds for a few KiB: generous timeouts.
const SLOW = { timeoutMs: 30_000 };
const u32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

describe('bundled firmware read through OpenOCD while it runs', () => {
  let sim: JtagSim;
  let ocd: OpenOcdPeer;
  let reader: MemoryReader;
  let elf: ElfFile;
  const addr = (name: string) => elf.symbols().find((s) => s.name === name)!.value;

  beforeAll(async () => {
    elf = openElf(ELF);
    sim = await startJtagSim({ elfPath: ELF });
    ocd = await startOpenOcd(sim.port);
    reader = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
  });
  afterAll(async () => {
    await reader?.close();
    await ocd?.stop();
    await sim?.close();
  });

  it('reads g_magic exactly and g_ticks between direct emulator reads before and after', async () => {
    const before = u32(sim.target.readDirect(addr('g_ticks'), 4));
    const [magic, ticks] = await reader.readBlocks([
      { address: addr('g_magic'), length: 4 },
      { address: addr('g_ticks'), length: 4 },
    ]);
    const after = u32(sim.target.readDirect(addr('g_ticks'), 4));
    expect(u32(magic!)).toBe(0xc0ffee42);
    expect(u32(ticks!)).toBeGreaterThanOrEqual(before);
    expect(u32(ticks!)).toBeLessThanOrEqual(after);
  });

  it('reads the constant globals byte-identical to emulator memory', async () => {
    const names = ['g_config', 'g_flags', 'g_samples', 'g_matrix', 'g_name', 'g_ubig', 'g_bytes'];
    const blocks = names.map((n) => {
      const s = elf.symbols().find((x) => x.name === n)!;
      return { address: s.value, length: s.size };
    });
    const got = await reader.readBlocks(blocks);
    blocks.forEach((b, i) => {
      expect(Buffer.from(got[i]!).equals(Buffer.from(sim.target.readDirect(b.address, b.length))), names[i]).toBe(true);
    });
  });

  it('decodes structs, bitfields, arrays and a pointer hop by name through OpenOCD', async () => {
    const debug = loadDebugInfo(elf);
    const exprs = ['g_config', 'g_flags', 'g_samples', 'g_matrix', 'g_name', 'g_heap_ptr->capacity'];
    const watches = exprs.map((e) => resolveWatch(debug, elf, e));
    const bytes = await readWatches(reader, watches);
    const v = watches.map((w, i) => w.decode(bytes[i]!));
    expect(v[0]).toMatchObject({ id: 7, port: 3333, flags: 0x80000001, pos: { x: -5, y: 12 } });
    expect(v[1]).toMatchObject({ enabled: 1, mode: 5, level: 9, delta: -3 });
    expect(v[2]).toEqual([1, 2, 3, 5, 8, 13, 21, 34]);
    expect(v[3]).toEqual([[1, -2, 3], [-4, 5, -6]]);
    expect(v[4]).toBe('heapscope');
    expect(v[5]).toBe(16384);
  });
});
