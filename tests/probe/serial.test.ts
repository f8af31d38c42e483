// GDB RSP over a real serial device: a socat pty pair whose far end is the rp2040js GDB server's TCP
// port, the way a Black Magic Probe's GDB port is a tty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaltingProbeError } from '../../src/errors.js';
import { openProbe } from '../../src/probe/url.js';
import { M0_ELF, startPtyBridge, startRp2040GdbServer, type RunningPeer } from './peers.js';
import { symbolAddress, u32 } from './watch-fixtures.js';

describe('GDB RSP over a serial device (socat pty -> rp2040js GDB server)', () => {
  let server: RunningPeer;

  beforeAll(async () => {
    server = await startRp2040GdbServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads through the pty while the core runs when the URL says the stub does not halt', async () => {
    const pty = await startPtyBridge(server.port);
    try {
      const r = await openProbe(`serial:${pty.path}?baud=115200&halting=no`);
      try {
        expect(r.nonHalting).toBe(true);
        expect(r.description).toContain('serial');
        const [m] = await r.readBlocks([{ address: symbolAddress(M0_ELF, 'g_magic'), length: 4 }]);
        expect(u32(m!)).toBe(0xc0ffee42);
      } finally {
        await r.close();
      }
    } finally {
      await pty.stop();
    }
  });

  it('presumes a serial stub halts (idle firmware proves nothing) and, with allowHalt, halts-reads-resumes', async () => {
    const pty = await startPtyBridge(server.port);
    try {
      const r = await openProbe(`serial:${pty.path}`, { allowHalt: true });
      try {
        expect(r.nonHalting).toBe(false);
        const ticks = symbolAddress(M0_ELF, 'g_ticks');
        const [a] = await r.readBlocks([{ address: ticks, length: 4 }]);
        let moved = false;
        for (let i = 0; i < 40 && !moved; i++) {
          await new Promise((res) => setTimeout(res, 50));
          const [b] = await r.readBlocks([{ address: ticks, length: 4 }]);
          moved = u32(b!) !== u32(a!);
        }
        expect(moved).toBe(true); // the core ran between the halted reads
        expect((await r.info()).targetState).toBe('running');
      } finally {
        await r.close();
      }
      // Closing resumed the core: over TCP (non-halting) the counter still moves.
      const check = await openProbe(`gdb://127.0.0.1:${server.port}`);
      try {
        const ticks = symbolAddress(M0_ELF, 'g_ticks');
        const [a] = await check.readBlocks([{ address: ticks, length: 4 }]);
        let moved = false;
        for (let i = 0; i < 40 && !moved; i++) {
          await new Promise((res) => setTimeout(res, 50));
          const [b] = await check.readBlocks([{ address: ticks, length: 4 }]);
          moved = u32(b!) !== u32(a!);
        }
        expect(moved).toBe(true);
      } finally {
        await check.close();
      }
    } finally {
      await pty.stop();
    }
  });

  it('refuses a serial stub declared halting (?halting=yes) without allowHalt', async () => {
    const pty = await startPtyBridge(server.port);
    try {
      const err = await openProbe(`serial:${pty.path}?halting=yes`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HaltingProbeError);
      expect((err as Error).message).toContain('--allow-halt');
    } finally {
      await pty.stop();
    }
  });

  it('says when the serial device does not exist', async () => {
    await expect(openProbe('serial:/dev/heapscope-no-such-tty')).rejects.toThrow(/no such device/);
  });
});
