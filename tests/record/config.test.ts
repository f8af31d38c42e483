import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/cli/config.js';
import { parseWatchSpec, resolveSettings } from '../../src/cli/record.js';
import { UsageError } from '../../src/errors.js';
import { parseDuration, parseRotate, parseSize } from '../../src/record/units.js';

const dir = mkdtempSync(join(tmpdir(), 'heapscope-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('config file', () => {
  it('loads YAML with watches, rates, labels and roles', () => {
    const p = file(
      'soak.yaml',
      `elf: fw.elf
probe: openocd://127.0.0.1:6666
rate: 50
duration: 24h
target-clock: g_ticks
watches:
  - g_heap.used@100
  - { expr: g_heap, rate: 1, label: heap, role: used }
`,
    );
    const s = resolveSettings(undefined, [], { config: p });
    expect(s.elf).toBe('fw.elf');
    expect(s.probe).toBe('openocd://127.0.0.1:6666');
    expect(s.durationS).toBe(86400);
    expect(s.targetClock).toBe('g_ticks');
    expect(s.watches).toEqual([
      { expr: 'g_heap.used', rateHz: 100 },
      { expr: 'g_heap', rateHz: 1, label: 'heap', role: 'used' },
    ]);
  });

  it('loads JSON too, and flags override the file', () => {
    const p = file('soak.json', JSON.stringify({ elf: 'a.elf', probe: 'gdb://127.0.0.1:3333', rate: 5, out: 'x.csv', watches: ['g_ticks'] }));
    const s = resolveSettings('b.elf', ['g_heap.free'], { config: p, rate: 20, format: 'jsonl' });
    expect(s.elf).toBe('b.elf');
    expect(s.watches).toEqual([{ expr: 'g_heap.free', rateHz: 20 }]);
    expect(s.out).toBe('x.csv');
    expect(s.format).toBe('jsonl');
  });

  it('needs --probe for an ELF that is not the bundled sim demo, and says how to get one', () => {
    expect(() => resolveSettings('my-fw.elf', ['g_x'], {})).toThrow(/no probe given for my-fw\.elf: pass --probe URL/);
  });

  it('names every unknown key instead of ignoring it', () => {
    const p = file('typo.yaml', 'elf: fw.elf\nrat: 10\nduraton: 1h\nwatches: [{ expr: g_x, rte: 3 }]\n');
    expect(() => loadConfig(p)).toThrow(UsageError);
    expect(() => loadConfig(p)).toThrow(/unknown keys 'rat', 'duraton', 'watches\[0\]\.rte'/);
  });

  it('says which value is wrong', () => {
    const p = file('bad.yaml', 'rate: fast\nformat: xml\n');
    expect(() => loadConfig(p)).toThrow(/rate: .*expected number.*format: /s);
  });

  it('reports YAML syntax errors and missing files as usage errors', () => {
    expect(() => loadConfig(file('broken.yaml', 'watches: [a, b\n'))).toThrow(/not valid YAML\/JSON/);
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/cannot read config .*nope\.yaml: no such file/);
  });
});

describe('units and watch specs', () => {
  it('parses durations, sizes and rotation policies', () => {
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration('90')).toBe(90);
    expect(() => parseDuration('soon')).toThrow(/bad duration 'soon'/);
    expect(parseSize('100MB')).toBe(100e6);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseRotate('100MB')).toEqual({ kind: 'size', bytes: 100e6 });
    expect(parseRotate('1h')).toEqual({ kind: 'time', seconds: 3600 });
    expect(() => parseRotate('often')).toThrow(/bad --rotate 'often'/);
  });

  it('splits EXPR@HZ and rejects a bad rate', () => {
    expect(parseWatchSpec('g_heap.used@100', 10)).toEqual({ expr: 'g_heap.used', rateHz: 100 });
    expect(parseWatchSpec('main.c::s_count', 10)).toEqual({ expr: 'main.c::s_count', rateHz: 10 });
    expect(() => parseWatchSpec('g_x@fast', 10)).toThrow(/bad rate in 'g_x@fast'/);
  });
});

describe('the documented example config', () => {
  it('docs/soak.example.yaml is valid, so the example cannot rot', async () => {
    const { loadConfig } = await import('../../src/cli/config.js');
    const cfg = loadConfig(new URL('../../docs/soak.example.yaml', import.meta.url).pathname);
    expect(cfg.probe).toBe('openocd://127.0.0.1:6666');
    expect(cfg.tickHz).toBe(1000);
    expect(cfg.driftWindow).toBe(60);
    expect(cfg.watches).toHaveLength(4);
  });
});
