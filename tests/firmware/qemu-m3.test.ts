// The Cortex-M3 build runs on `qemu-system-arm -M mps2-an385`: SysTick drives g_ticks, the heap
// workload runs. Read through QMP `xp` (reads physical memory while the VM runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledFirmware } from '../../src/probe/sim/bundled.js';
import { startPeer, type Peer } from '../peers/process.js';
import { pollUntil, symbolAddresses } from '../probe/sim-helpers.js';

const hasQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;

/** Just enough QMP for `xp`: greeting, qmp_capabilities, human-monitor-command. */
class TinyQmp {
  private buf = '';
  private waiters: Array<() => void> = [];
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(path: string): Promise<TinyQmp> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
    });
    const q = new TinyQmp(sock);
    await q.next('QMP');
    await q.exec({ execute: 'qmp_capabilities' });
    return q;
  }
  /** Next JSON line containing `key` (events are skipped). */
  private async next(key: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (key in msg) return msg;
        if ('error' in msg) throw new Error(JSON.stringify(msg.error));
      }
      if (Date.now() > deadline) throw new Error(`QMP: no ${key}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  async exec(cmd: object): Promise<unknown> {
    this.sock.write(JSON.stringify(cmd) + '\n');
    return (await this.next('return')).return;
  }
  async readU32(addr: number): Promise<number> {
    const out = (await this.exec({
      execute: 'human-monitor-command',
      arguments: { 'command-line': `xp /1wx 0x${addr.toString(16)}` },
    })) as string;
    const m = /:\s*0x([0-9a-f]+)/.exec(out);
    if (!m) throw new Error(`unexpected xp output: ${out}`);
    return parseInt(m[1]!, 16);
  }
  close(): void {
    this.sock.destroy();
  }
}

describe.skipIf(!hasQemu)('Cortex-M3 firmware on qemu-system-arm mps2-an385', () => {
  const elf = bundledFirmware('sawtooth', 'm3');
  const sym = symbolAddresses(elf);
  let dir: string;
  let qemu: Peer;
  let qmp: TinyQmp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapscope-qemu-'));
    const sock = join(dir, 'qmp.sock');
    qemu = startPeer('qemu-system-arm', [
      '-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none',
      '-kernel', elf, '-qmp', `unix:${sock},server=on,wait=off`,
    ]);
    qmp = await pollUntil('QEMU QMP socket', 15_000, async () => TinyQmp.open(sock).catch(() => undefined));
  });
  afterAll(async () => {
    qmp?.close();
    await qemu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the constant g_magic', async () => {
    // g_magic lives in .data: the reset handler copies it from flash, which a loaded host may not have
    // run yet right after QEMU starts.
    const v = await pollUntil('the reset handler to copy .data', 10_000, async () => {
      const x = await qmp.readU32(sym.g_magic!);
      return x !== 0 ? x : undefined;
    });
    expect(v).toBe(0xc0ffee42);
  });

  it('advances g_ticks from SysTick', async () => {
    const first = await qmp.readU32(sym.g_ticks!);
    const later = await pollUntil('g_ticks to advance', 10_000, async () => {
      const v = await qmp.readU32(sym.g_ticks!);
      return v > first ? v : undefined;
    });
    expect(later).toBeGreaterThan(first);
  });

  it('runs the heap workload: allocations happen on a 32 KiB arena', async () => {
    expect(await qmp.readU32(sym.g_heap!)).toBe(32768); // capacity
    const allocs = await pollUntil('an allocation', 10_000, async () => {
      const v = await qmp.readU32(sym.g_heap! + 12); // alloc_count
      return v > 0 ? v : undefined;
    });
    expect(allocs).toBeGreaterThan(0);
  });
});
