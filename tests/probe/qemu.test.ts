// QEMU (mps2-an385, Cortex-M3 heap demo): QMP reads while the VM runs; the gdbstub halts the VM, so it
// is detected and refused unless allowHalt, and with allowHalt every read resumes the VM afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaltingProbeError, TargetMemoryError } from '../../src/errors.js';
import type { MemoryReader } from '../../src/probe/types.js';
import { openProbe } from '../../src/probe/url.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sleep, startPeer } from '../peers/process.js';
import { M3_ELF, ROOT, startQemu, type RunningQemu } from './peers.js';
import { symbolAddress, u32 } from './watch-fixtures.js';

describe('QEMU: QMP and gdbstub', () => {
  let qemu: RunningQemu;
  let monitor: MemoryReader; // second QMP socket: watches the VM state while the gdbstub is used
  const ticks = symbolAddress(M3_ELF, 'g_ticks');
  const magic = symbolAddress(M3_ELF, 'g_magic');

  const vmState = async () => (await monitor.info()).targetState;
  const readTicks = async (r: MemoryReader) => u32((await r.readBlocks([{ address: ticks, length: 4 }]))[0]!);

  beforeAll(async () => {
    qemu = await startQemu();
    monitor = await openProbe(`qmp:${qemu.qmpSockets[1]}`);
  });
  afterAll(async () => {
    await monitor?.close();
    await qemu?.stop();
  });

  it('reads over QMP while the VM runs: g_ticks advances, g_magic is exact', async () => {
    const r = await openProbe(`qmp:${qemu.qmpSockets[0]}`);
    try {
      expect(r.nonHalting).toBe(true);
      const [m] = await r.readBlocks([{ address: magic, length: 4 }]);
      expect(u32(m!)).toBe(0xc0ffee42);
      const a = await readTicks(r);
      await sleep(200);
      expect(await readTicks(r)).toBeGreaterThan(a);
      expect(await vmState()).toBe('running');
    } finally {
      await r.close();
    }
  });

  it('reads an unaligned odd-length block over QMP', async () => {
    const r = await openProbe(`qmp:${qemu.qmpSockets[0]}`);
    try {
      const [whole, part] = await r.readBlocks([{ address: magic, length: 4 }, { address: magic + 1, length: 2 }]);
      expect([...part!]).toEqual([whole![1], whole![2]]);
    } finally {
      await r.close();
    }
  });

  it('names the address when QMP cannot read it', async () => {
    const r = await openProbe(`qmp:${qemu.qmpSockets[0]}`);
    try {
      const err = await r.readBlocks([{ address: 0x90000000, length: 4 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetMemoryError);
      expect((err as TargetMemoryError).message).toContain('0x90000000');
    } finally {
      await r.close();
    }
  });

  it('refuses the gdbstub as halting and leaves the VM running', async () => {
    const err = await openProbe(`gdb://127.0.0.1:${qemu.gdbPort}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HaltingProbeError);
    expect((err as Error).message).toMatch(/qmp:.*--allow-halt/);
    await sleep(100);
    expect(await vmState()).toBe('running');
    const a = await readTicks(monitor);
    await sleep(200);
    expect(await readTicks(monitor)).toBeGreaterThan(a);
  });

  it('with allowHalt: halts, reads, resumes; the VM runs between reads and after close', async () => {
    const r = await openProbe(`gdb://127.0.0.1:${qemu.gdbPort}`, { allowHalt: true });
    try {
      expect(r.nonHalting).toBe(false);
      const [m] = await r.readBlocks([{ address: magic, length: 4 }]);
      expect(u32(m!)).toBe(0xc0ffee42);
      const a = await readTicks(r);
      expect(await vmState()).toBe('running');
      await sleep(200);
      expect(await readTicks(r)).toBeGreaterThan(a);
      const info = await r.info();
      expect(info.extra?.haltCycles).toBe(3);
      expect(info.extra?.stoppedMsTotal).toBeGreaterThan(0);
    } finally {
      await r.close();
    }
    await sleep(100);
    expect(await vmState()).toBe('running');
  });

  it('with allowHalt: an E reply names the address and the VM is resumed anyway', async () => {
    const r = await openProbe(`gdb://127.0.0.1:${qemu.gdbPort}`, { allowHalt: true });
    try {
      const err = await r.readBlocks([{ address: 0x90000000, length: 4 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetMemoryError);
      expect((err as TargetMemoryError).address).toBe(0x90000000);
      expect((err as Error).message).toContain('0x90000000');
      await sleep(50);
      expect(await vmState()).toBe('running');
    } finally {
      await r.close();
    }
    expect(await vmState()).toBe('running');
  });

  it('with allowHalt: Ctrl-C (SIGINT) in the middle of halt-read cycles leaves the VM running', async () => {
    // A separate process (loads dist/: run `npm run build` first) reading in a tight loop.
    const dir = mkdtempSync(join(tmpdir(), 'heapscope-sigint-'));
    const script = join(dir, 'reader.mjs');
    const url = pathToFileURL(join(ROOT, 'dist/src/probe/url.js')).href;
    writeFileSync(
      script,
      `import { openProbe } from ${JSON.stringify(url)};\n` +
        `const r = await openProbe(process.argv[2], { allowHalt: true });\n` +
        `process.stdout.write('open\\n');\n` +
        `for (;;) await r.readBlocks([{ address: ${ticks}, length: 4 }]);\n`,
    );
    const child = startPeer(process.execPath, [script, `gdb://127.0.0.1:${qemu.gdbPort}`]);
    try {
      for (let i = 0; i < 300 && !child.output().includes('open'); i++) await sleep(50);
      expect(child.output()).toContain('open');
      await sleep(300);
      const exited = new Promise<number | null>((r) => child.child.once('exit', (code) => r(code)));
      process.kill(child.pid, 'SIGINT');
      expect(await exited).toBe(130);
      expect(await vmState()).toBe('running');
      const a = await readTicks(monitor);
      await sleep(200);
      expect(await readTicks(monitor)).toBeGreaterThan(a);
    } finally {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
