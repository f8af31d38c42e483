// The pure parts of openocd://: the read-only allow-list, TCL list parsing, and width planning.
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/errors.js';
import { planBlockReads } from '../../src/probe/openocd-read-plan.js';
import { parseTclList } from '../../src/probe/openocd-tcl-list.js';
import { assertAllowedCall, buildScript } from '../../src/probe/openocd-tcl-script.js';

const targets = { targets: new Set(['stm32f4x.cpu']), daps: new Set(['stm32f4x.dap']) };

describe('allow-list', () => {
  it.each([
    [['halt']],
    [['resume']],
    [['reset', 'run']],
    [['mww', '0x20000000', '0']],
    [['write_memory', '0x20000000', '32', '0']],
    [['array2mem', 'a', '32', '0x20000000', '1']],
    [['flash', 'write_image', 'x.bin']],
    [['stm32f4x.cpu', 'arp_halt']],
    [['stm32f4x.cpu', 'write_memory', '0x0', '32', '0']],
    [['stm32f4x.cpu', 'configure', '-event', 'gdb-attach']],
    [['target', 'create', 'x', 'cortex_m']],
    [['shutdown']],
    [['stm32f4x.dap', 'dpreg', '4', '0x50000000']], // the write form of dpreg
    [['stm32f4x.dap', 'apreg', '0', '0xc']],
  ])('refuses %j', (call) => {
    expect(() => assertAllowedCall(call, targets)).toThrow(ProbeError);
  });

  it('refuses arguments that could smuggle a second command', () => {
    expect(() => assertAllowedCall(['read_memory', '[halt]', '32', '1'], targets)).toThrow(/plain word/);
    expect(() => assertAllowedCall(['read_memory', '0x0;resume', '32', '1'], targets)).toThrow(ProbeError);
    expect(() => assertAllowedCall(['version', '$x'], targets)).toThrow(ProbeError);
  });

  it('allows reads and state queries on a known target', () => {
    expect(() => assertAllowedCall(['stm32f4x.cpu', 'read_memory', '0x20000000', '32', '4'], targets)).not.toThrow();
    expect(() => assertAllowedCall(['stm32f4x.cpu', 'curstate'], targets)).not.toThrow();
    expect(() => assertAllowedCall(['target', 'names'], targets)).not.toThrow();
    expect(() => assertAllowedCall(['stm32f4x.dap', 'dpreg', '4'], targets)).not.toThrow();
  });

  it('refuses methods on a name OpenOCD did not report as a target', () => {
    expect(() => assertAllowedCall(['other.cpu', 'curstate'], targets)).toThrow(ProbeError);
  });

  it('wraps every group in catch and returns code/value pairs', () => {
    const s = buildScript([[['version']], [['target', 'names']]], targets);
    expect(s).toBe(
      'set __heapscope_r {}; lappend __heapscope_r [catch {version} __heapscope_v] $__heapscope_v; ' +
        'lappend __heapscope_r [catch {target names} __heapscope_v] $__heapscope_v; set __heapscope_r',
    );
  });
});

describe('TCL list parsing', () => {
  it('splits words, keeps braced words verbatim and unescapes quoted ones', () => {
    expect(parseTclList('0 {0x1 0x2} 1 {read_memory: failed {nested}} "a b\\"c"')).toEqual([
      '0', '0x1 0x2', '1', 'read_memory: failed {nested}', 'a b"c',
    ]);
    expect(parseTclList('  ')).toEqual([]);
  });

  it('rejects unbalanced braces instead of guessing', () => {
    expect(() => parseTclList('0 {abc')).toThrow(/unbalanced/);
  });
});

describe('read width planning', () => {
  it('reads an aligned span as 32-bit words', () => {
    expect(planBlockReads({ address: 0x100, length: 16 }, 4096)).toEqual([{ address: 0x100, width: 32, count: 4 }]);
  });

  it('reads ragged ends as bytes and the aligned middle as words', () => {
    expect(planBlockReads({ address: 0x101, length: 22 }, 4096)).toEqual([
      { address: 0x101, width: 8, count: 3 },
      { address: 0x104, width: 32, count: 4 },
      { address: 0x114, width: 8, count: 3 },
    ]);
  });

  it('reads a short unaligned block in one 8-bit command when splitting saves nothing', () => {
    expect(planBlockReads({ address: 0x102, length: 6 }, 4096)).toEqual([{ address: 0x102, width: 8, count: 6 }]);
    expect(planBlockReads({ address: 0x101, length: 2 }, 4096)).toEqual([{ address: 0x101, width: 8, count: 2 }]);
  });

  it('splits at the per-command maximum', () => {
    expect(planBlockReads({ address: 0x0, length: 10000 }, 4096)).toEqual([
      { address: 0, width: 32, count: 1024 },
      { address: 4096, width: 32, count: 1024 },
      { address: 8192, width: 32, count: 452 },
    ]);
  });
});
