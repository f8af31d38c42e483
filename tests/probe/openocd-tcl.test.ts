// openocd:// against the real OpenOCD 0.12: OpenOCD drives a simulated JTAG-DP + AHB-AP over
// remote_bitbang, and behind the AP an rp2040js core runs a counter loop, so memory moves while
// OpenOCD reads it. A TCP relay between heapscope and OpenOCD records what OpenOCD received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeDisconnectedError, ProbeError, TargetMemoryError } from '../../src/errors.js';
import { openOpenOcd } from '../../src/probe/openocd-tcl.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { startOpenOcd, SIM_TARGET, type OpenOcdPeer } from '../peers/jtag-openocd.js';
import { startJtagSim, type JtagSim } from '../peers/jtag-remote-bitbang.js';
import { COUNTER_PROGRAM as P } from '../peers/jtag-target.js';
import { startTcpRelay, type TcpRelay } from '../peers/jtag-tcp-relay.js';
import { freePort } from '../peers/process.js';
import { openProbe } from '../../src/probe/url.js';

// Bit-banged JTAG on a loaded 2-core CI machine can take seconds for a few KiB: generous timeouts.
const SLOW = { timeoutMs: 30_000 };
const u32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

describe('openocd:// through real OpenOCD on a running simulated target', () => {
  let sim: JtagSim;
  let ocd: OpenOcdPeer;
  let relay: TcpRelay;
  let reader: MemoryReader;

  beforeAll(async () => {
    sim = await startJtagSim();
    ocd = await startOpenOcd(sim.port);
    relay = await startTcpRelay(ocd.tclPort);
    reader = await openOpenOcd('127.0.0.1', relay.port, SLOW);
  });
  afterAll(async () => {
    await reader?.close();
    await relay?.close();
    await ocd?.stop();
    await sim?.close();
  });

  it('names the OpenOCD version, the current target and that it is running', async () => {
    const info = await reader.info();
    expect(info.kind).toBe('openocd');
    expect(info.server).toMatch(/Open On-Chip Debugger 0\.1\d/);
    expect(info.target).toBe(SIM_TARGET);
    expect(info.targetState).toBe('running');
    expect(info.extra?.targetType).toBe('mem_ap');
    expect(reader.nonHalting).toBe(true);
    expect(reader.description).toContain(`127.0.0.1:${relay.port}`);
  });

  it('reads the constant g_magic exactly', async () => {
    const [magic] = await reader.readBlocks([{ address: P.magic, length: 4 }]);
    expect(u32(magic!)).toBe(P.magicValue);
  });

  it('reads a live counter between direct emulator reads taken before and after', async () => {
    const before = u32(sim.target.readDirect(P.counter, 4));
    const [viaOcd] = await reader.readBlocks([{ address: P.counter, length: 4 }]);
    const after = u32(sim.target.readDirect(P.counter, 4));
    expect(u32(viaOcd!)).toBeGreaterThanOrEqual(before);
    expect(u32(viaOcd!)).toBeLessThanOrEqual(after);
    expect(after).toBeGreaterThan(0);
  });

  it('sees the counter move while the core runs (reads do not stop it)', async () => {
    const [a] = await reader.readBlocks([{ address: P.counter, length: 4 }]);
    await new Promise((r) => setTimeout(r, 50));
    const [b] = await reader.readBlocks([{ address: P.counter, length: 4 }]);
    expect(u32(b!)).toBeGreaterThan(u32(a!));
  });

  it('decodes a struct with u16, u8 and u32[4] members and a char array from the raw bytes', async () => {
    const [s] = await reader.readBlocks([{ address: P.struct, length: P.structBytes.length }]);
    const v = new DataView(s!.buffer);
    expect(v.getUint16(0, true)).toBe(0x1234);
    expect([v.getUint8(2), v.getUint8(3)]).toEqual([0x56, 0x78]);
    expect([1, 2, 3, 4].map((_, i) => v.getUint32(4 + i * 4, true))).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(s!.subarray(20, 27)).toString('latin1')).toBe('heapscp');
  });

  it('reads unaligned, ragged and multi-KiB blocks in one call, byte-identical to emulator memory', async () => {
    const blocks = [
      { address: P.struct + 1, length: 1 },
      { address: P.struct + 1, length: 3 },
      { address: P.struct + 2, length: 13 },
      { address: P.struct + 3, length: 22 },
      { address: 0x2000_0ff1, length: 4200 }, // above maxBlockBytes: split into several commands
    ];
    const got = await reader.readBlocks(blocks);
    blocks.forEach((b, i) => {
      // Skip the counter word: it moves between the two reads.
      const want = sim.target.readDirect(b.address, b.length);
      const lo = P.counter - b.address;
      for (let k = lo; k < lo + 4; k++) if (k >= 0 && k < b.length) want[k] = got[i]![k]!;
      expect(Buffer.from(got[i]!).equals(Buffer.from(want)), `block ${i} at 0x${b.address.toString(16)}`).toBe(true);
    });
  });

  it('reports an unmapped address as TargetMemoryError, then keeps reading', async () => {
    const err = await reader.readBlocks([{ address: 0x6000_0000, length: 8 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetMemoryError);
    expect((err as TargetMemoryError).address).toBe(0x6000_0000);
    expect((err as Error).message).toMatch(/0x60000000/);
    const [magic] = await reader.readBlocks([{ address: P.magic, length: 4 }]);
    expect(u32(magic!)).toBe(P.magicValue);
  });

  it('refuses a target name OpenOCD does not have, listing the ones it has', async () => {
    const err = await openOpenOcd('127.0.0.1', ocd.tclPort, { ...SLOW, target: 'stm32f4x.cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as Error).message).toContain(SIM_TARGET);
  });

  it('reads through the target picked by name', async () => {
    const picked = await openOpenOcd('127.0.0.1', ocd.tclPort, { ...SLOW, target: SIM_TARGET });
    try {
      const [magic] = await picked.readBlocks([{ address: P.magic, length: 4 }]);
      expect(u32(magic!)).toBe(P.magicValue);
    } finally {
      await picked.close();
    }
  });

  it("serves OpenOCD's GDB port through gdb:// without halting (gdb-attach event emptied)", async () => {
    const reader = await openProbe(`gdb://127.0.0.1:${ocd.gdbPort}`, SLOW);
    try {
      expect(reader.nonHalting).toBe(true);
      const [magic, a] = await reader.readBlocks([
        { address: P.magic, length: 4 },
        { address: P.counter, length: 4 },
      ]);
      expect(u32(magic!)).toBe(P.magicValue);
      await new Promise((r) => setTimeout(r, 50));
      const [b] = await reader.readBlocks([{ address: P.counter, length: 4 }]);
      expect(u32(b!)).toBeGreaterThan(u32(a!));
      const tcl = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
      try {
        expect((await tcl.info()).targetState).toBe('running');
      } finally {
        await tcl.close();
      }
    } finally {
      await reader.close();
    }
  });

  it('sent OpenOCD nothing but allow-listed read-only commands, and the bus saw no write', () => {
    const scripts = relay.sent().toString('latin1').split('\x1a').filter((s) => s.length > 0);
    expect(scripts.length).toBeGreaterThan(5);
    const text = scripts.join('\n');
    expect(text).not.toMatch(/\b(mww|mwh|mwb|mwd|write_memory|array2mem|halt|resume|reset|step|load_image|flash|shutdown|exit|poll)\b/);
    const allowed: Record<string, readonly string[] | null> = {
      set: null, lappend: null, catch: null, version: null, read_memory: null,
      info: ['commands'], target: ['current', 'names'], [SIM_TARGET]: ['read_memory', 'curstate', 'was_examined', 'cget'],
      'sim.dap': ['dpreg'],
    };
    // Command words: first word of the script and of every [..], {..} body and ;-separated command.
    let commands = 0;
    for (const m of text.matchAll(/(?:^|[;[{\n])\s*([^\s;[\]{}]+)(?:\s+([^\s;[\]{}]+))?/g)) {
      const [, cmd, sub] = m;
      expect(Object.keys(allowed), `command '${cmd}'`).toContain(cmd);
      const subs = allowed[cmd!];
      if (subs) expect(subs, `'${cmd} ${sub}'`).toContain(sub);
      commands++;
    }
    expect(commands).toBeGreaterThan(scripts.length * 3);
    expect(sim.dp.stats.memWrites).toBe(0);
  });
});

describe('openocd:// failures', () => {
  it('names the port and says to start openocd when nothing listens', async () => {
    const port = await freePort();
    const err = await openOpenOcd('127.0.0.1', port, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeDisconnectedError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toMatch(/is openocd running\?.*6666/);
  });

  describe('with its own OpenOCD', () => {
    let sim: JtagSim;
    let ocd: OpenOcdPeer;
    beforeAll(async () => {
      sim = await startJtagSim();
      ocd = await startOpenOcd(sim.port);
    });
    afterAll(async () => {
      await ocd?.stop();
      await sim?.close();
    });

    it('tells that OpenOCD\'s GDB port is not its TCL port', async () => {
      const err = await openOpenOcd('127.0.0.1', ocd.gdbPort, { timeoutMs: 1500 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProbeError);
      expect((err as Error).message).toMatch(/not OpenOCD's TCL port|never answered like OpenOCD/);
      expect((err as Error).message).toContain(`127.0.0.1:${ocd.gdbPort}`);
    });

    it('reports a lost probe when the adapter dies while OpenOCD stays up', async () => {
      const reader = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
      try {
        const [magic] = await reader.readBlocks([{ address: P.magic, length: 4 }]);
        expect(u32(magic!)).toBe(P.magicValue);
        await sim.close(); // the "USB cable pulled" fault: OpenOCD's adapter socket breaks
        // The same address that just worked, and another one: both are a lost probe, not a bad address.
        for (const address of [P.magic, P.counter]) {
          const err = await reader.readBlocks([{ address, length: 4 }]).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ProbeDisconnectedError);
          expect((err as Error).message).toMatch(/lost the target/);
        }
        // A reader opened after the loss has no address known to work: the DAP's CTRL/STAT tells.
        const fresh = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
        try {
          const err = await fresh.readBlocks([{ address: P.magic, length: 4 }]).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ProbeDisconnectedError);
        } finally {
          await fresh.close();
        }
      } finally {
        await reader.close();
      }
    });

  });
});

describe('a second OpenOCD, imitating 0.11 (no read_memory)', () => {
  let sim: JtagSim;
  let ocd: OpenOcdPeer;
  beforeAll(async () => {
    sim = await startJtagSim();
    // Imitates OpenOCD 0.11, which had mem2array but no read_memory command.
    ocd = await startOpenOcd(sim.port, { after: ['rename read_memory {}'] });
  });
  afterAll(async () => {
    await ocd?.stop();
    await sim?.close();
  });

  it('falls back to mem2array and reads the same bytes', async () => {
    const reader = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
    try {
      expect((await reader.info()).extra?.readCommand).toBe('mem2array');
      const [magic, s] = await reader.readBlocks([
        { address: P.magic, length: 4 },
        { address: P.struct + 1, length: 21 },
      ]);
      expect(u32(magic!)).toBe(P.magicValue);
      expect(Buffer.from(s!).equals(Buffer.from(P.structBytes.subarray(1, 22)))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('reports ProbeDisconnectedError naming the port when OpenOCD is killed mid-read', async () => {
    const reader = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
    try {
      // 16 KiB over bit-banged JTAG takes well over a second: OpenOCD dies while serving it.
      const inFlight = reader.readBlocks([{ address: 0x2000_0000, length: 16 * 1024 }]).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 100));
      process.kill(ocd.peer.pid, 'SIGKILL');
      for (const err of [await inFlight, await reader.readBlocks([{ address: P.magic, length: 4 }]).catch((e: unknown) => e)]) {
        expect(err).toBeInstanceOf(ProbeDisconnectedError);
        expect((err as Error).message).toContain(`127.0.0.1:${ocd.tclPort}`);
      }
    } finally {
      await reader.close();
    }
  });
});

describe('OpenOCD whose target was never examined', () => {
  let sim: JtagSim;
  let ocd: OpenOcdPeer;
  beforeAll(async () => {
    sim = await startJtagSim();
    ocd = await startOpenOcd(sim.port, { deferExamine: true });
  });
  afterAll(async () => {
    await ocd?.stop();
    await sim?.close();
  });

  it('says the target is not examined instead of blaming the address', async () => {
    const reader = await openOpenOcd('127.0.0.1', ocd.tclPort, SLOW);
    try {
      const err = await reader.readBlocks([{ address: P.magic, length: 4 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProbeError);
      expect(err).not.toBeInstanceOf(TargetMemoryError);
      expect((err as Error).message).toMatch(/not examined/);
    } finally {
      await reader.close();
    }
  });
});
