// `heapscope read` end to end (node bin/heapscope.js, which loads dist/: run `npm run build` first).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M0_ELF, ROOT, startRp2040GdbServer, type RunningPeer } from './peers.js';
import { symbolAddress } from './watch-fixtures.js';

const run = promisify(execFile);

async function heapscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/heapscope.js'), ...args], { cwd: ROOT, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('heapscope read', () => {
  let server: RunningPeer;
  beforeAll(async () => {
    server = await startRp2040GdbServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('--json prints expr, hex address and decoded values (structs as objects)', async () => {
    const r = await heapscope(['read', M0_ELF, 'g_magic', 'g_config', 'g_ubig', '--json', '--probe', `gdb://127.0.0.1:${server.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ expr: string; address: string; value: unknown }>;
    expect(rows[0]).toEqual({ expr: 'g_magic', address: '0x' + symbolAddress(M0_ELF, 'g_magic').toString(16).padStart(8, '0'), value: 0xc0ffee42 });
    expect(rows[1]!.value).toMatchObject({ id: 7, port: 3333, pos: { x: -5, y: 12 }, mode: 'MODE_SLEEP' });
    expect(rows[2]!.value).toBe('16045690984503111693'); // 64-bit: a decimal string, exact
  });

  it('prints `expr = value` lines, structs pretty-printed, a null pointer said as such', async () => {
    const r = await heapscope(['read', M0_ELF, 'g_samples', 'g_null_ptr->used', 'g_heap', '--probe', `gdb://127.0.0.1:${server.port}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('g_samples = {1, 2, 3, 5, 8, 13, 21, 34}\n');
    expect(r.stdout).toContain('g_null_ptr->used = <null pointer>\n');
    expect(r.stdout).toMatch(/g_heap = \{\n  capacity = 16384,\n/);
  });

  it('defaults to the built-in sim: for the bundled M0+ firmware', async () => {
    const r = await heapscope(['read', M0_ELF, 'g_magic']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('g_magic = 3237998146\n');
  });

  it('asks for --probe when the ELF is not a bundled firmware (exit 2, no stack)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heapscope-read-'));
    try {
      const elf = join(dir, 'fw.elf');
      copyFileSync(M0_ELF, elf);
      const r = await heapscope(['read', elf, 'g_magic']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no probe given for .*fw\.elf: pass --probe URL/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
