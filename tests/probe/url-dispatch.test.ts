// openProbe dispatches to the transports other engineers own (sim:, openocd://) through the same URL.
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/errors.js';
import { openProbe } from '../../src/probe/url.js';
import { freePort } from '../peers/process.js';
import { M0_ELF } from './peers.js';
import { symbolAddress, u32 } from './watch-fixtures.js';

describe('openProbe dispatch', () => {
  it('sim:<elf> opens the built-in rp2040js target', async () => {
    const r = await openProbe(`sim:${M0_ELF}`);
    try {
      const [b] = await r.readBlocks([{ address: symbolAddress(M0_ELF, 'g_magic'), length: 4 }]);
      expect(u32(b!)).toBe(0xc0ffee42);
    } finally {
      await r.close();
    }
  });

  it('openocd:// reaches the OpenOCD transport (nothing listening -> a ProbeError)', async () => {
    const port = await freePort();
    await expect(openProbe(`openocd://127.0.0.1:${port}`, { timeoutMs: 1000 })).rejects.toBeInstanceOf(ProbeError);
  });
});
