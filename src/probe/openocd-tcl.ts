// openocd://host:port — reads target memory through OpenOCD's TCL RPC port (6666). On Cortex-M,
// OpenOCD reads through the MEM-AP while the core runs: the J-Scope path for ST-Link, CMSIS-DAP and
// J-Link users. Everything sent is built by openocd-tcl-script.ts from a read-only allow-list.
import { ProbeDisconnectedError, ProbeError, TargetMemoryError, UsageError } from '../errors.js';
import { planBlockReads, placeValues, type ReadCmd } from './openocd-read-plan.js';
import { TclConnection } from './openocd-tcl-conn.js';
import { parseTclList } from './openocd-tcl-list.js';
import { buildScript, isPlainWord, type KnownObjects, type TclCall } from './openocd-tcl-script.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from './types.js';

export interface OpenOcdOptions {
  /** Target to read (`target names`); default: OpenOCD's current target. */
  target?: string;
  /** Per-request timeout in ms (default 5000). */
  timeoutMs?: number;
}

/** Largest block one read_memory command carries (OpenOCD builds the whole reply list in memory). */
export const OPENOCD_MAX_BLOCK_BYTES = 4096;
/** Bytes per round trip: more commands than this go in further (pipelined) scripts. */
const MAX_BYTES_PER_SCRIPT = 16 * 1024;
/** Target types whose memory reads go through a MEM-AP without halting the core. */
const NON_HALTING_TYPES = new Set(['cortex_m', 'hla_target', 'mem_ap']);
const ARRAY_VAR = '__heapscope_a';

interface Outcome {
  ok: boolean;
  value: string;
}

type ReadMode = 'read_memory' | 'mem2array';

export async function openOpenOcd(host: string, port: number, opts: OpenOcdOptions = {}): Promise<MemoryReader> {
  if (opts.target !== undefined && !isPlainWord(opts.target)) {
    throw new UsageError(`'${opts.target}' is not a valid OpenOCD target name (see \`target names\`)`);
  }
  const timeoutMs = opts.timeoutMs ?? 5000;
  const conn = await TclConnection.open(host, port, timeoutMs);
  try {
    return await OpenOcdReader.start(conn, opts.target, timeoutMs);
  } catch (e) {
    await conn.close();
    throw e;
  }
}

class OpenOcdReader implements MemoryReader {
  readonly maxBlockBytes = OPENOCD_MAX_BLOCK_BYTES;
  /** An address that read fine before: re-reading it tells a dead adapter from an unmapped address. */
  private knownGood: number | undefined;

  private constructor(
    private readonly conn: TclConnection,
    private readonly server: string,
    private readonly known: KnownObjects,
    private readonly target: string,
    /** The target's DAP (`$t cget -dap`), if it has one: reading its CTRL/STAT tells whether the adapter still works. */
    private readonly dap: string | undefined,
    private readonly targetType: string,
    private readonly mode: ReadMode,
    readonly nonHalting: boolean,
  ) {}

  get description(): string {
    return `openocd tcl ${this.conn.address} target ${this.target}`;
  }

  static async start(conn: TclConnection, wanted: string | undefined, timeoutMs: number): Promise<OpenOcdReader> {
    const hello = await helloRequest(conn, Math.min(timeoutMs, 3000));
    const [version, readMem, mem2array, names, current] = hello;
    if (!version!.ok || !/Open On-Chip Debugger/i.test(version!.value)) {
      throw new ProbeError(
        `${conn.address} answered like a TCL server but not like OpenOCD ('${version!.value.slice(0, 60)}')`,
      );
    }
    let mode: ReadMode;
    if (readMem!.value.trim() === 'read_memory') mode = 'read_memory';
    else if (mem2array!.value.trim() === 'mem2array') mode = 'mem2array';
    else throw new ProbeError(`${version!.value.trim()} at ${conn.address} has neither read_memory nor mem2array: OpenOCD >= 0.12 needed`);
    const targets = new Set(names!.ok ? parseTclList(names!.value) : []);
    if (targets.size === 0) {
      throw new ProbeError(
        `OpenOCD at ${conn.address} has no target: start it with a target config (\`-f target/<chip>.cfg\`)`,
      );
    }
    let target: string;
    if (wanted !== undefined) {
      if (!targets.has(wanted)) {
        throw new ProbeError(`OpenOCD at ${conn.address} has no target '${wanted}'; it has: ${[...targets].join(', ')}`);
      }
      target = wanted;
    } else {
      target = current!.ok && targets.has(current!.value.trim()) ? current!.value.trim() : [...targets][0]!;
    }
    const [type, dapName] = await request(conn, [[[target, 'cget', '-type']], [[target, 'cget', '-dap']]], { targets });
    const targetType = type!.ok ? type!.value.trim() : 'unknown';
    const dap = dapName!.ok && isPlainWord(dapName!.value.trim()) ? dapName!.value.trim() : undefined;
    const known: KnownObjects = { targets, daps: new Set(dap ? [dap] : []) };
    return new OpenOcdReader(conn, version!.value.trim(), known, target, dap, targetType, mode, NON_HALTING_TYPES.has(targetType));
  }

  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const results = blocks.map((b) => new Uint8Array(b.length));
    const jobs: { block: number; offset: number; cmd: ReadCmd }[] = [];
    blocks.forEach((b, i) => {
      let offset = 0;
      for (const cmd of planBlockReads(b, this.maxBlockBytes)) {
        jobs.push({ block: i, offset, cmd });
        offset += (cmd.count * cmd.width) / 8;
      }
    });
    // Several scripts when the batch is large; all sent at once, answered in order.
    const scripts: (typeof jobs)[] = [];
    let bytes = Infinity;
    for (const job of jobs) {
      const size = (job.cmd.count * job.cmd.width) / 8;
      if (bytes + size > MAX_BYTES_PER_SCRIPT) {
        scripts.push([]);
        bytes = 0;
      }
      scripts[scripts.length - 1]!.push(job);
      bytes += size;
    }
    const replies = await Promise.all(
      scripts.map((group) => request(this.conn, group.map((j) => this.readCalls(j.cmd)), this.known)),
    );
    let firstFailure: { job: (typeof jobs)[number]; message: string } | undefined;
    scripts.forEach((group, s) =>
      group.forEach((job, k) => {
        const out = replies[s]![k]!;
        if (!out.ok) {
          firstFailure ??= { job, message: out.value.trim() };
          return;
        }
        const values = this.parseValues(out.value, job.cmd);
        placeValues(results[job.block]!, job.offset, job.cmd, values);
        this.knownGood = job.cmd.address;
      }),
    );
    if (firstFailure) await this.raise(firstFailure.job.cmd, blocks[firstFailure.job.block]!, firstFailure.message);
    return results;
  }

  async info(): Promise<ProbeInfo> {
    const [state] = await request(this.conn, [[[this.target, 'curstate']]], this.known);
    const s = state!.ok ? state!.value.trim() : 'unknown';
    const targetState = s === 'running' || s === 'debug-running' ? 'running' : s === 'halted' || s === 'reset' ? s : 'unknown';
    return {
      kind: 'openocd',
      server: this.server,
      target: this.target,
      targetState,
      extra: {
        targets: [...this.known.targets],
        ...(this.dap ? { dap: this.dap } : {}),
        targetType: this.targetType,
        readCommand: this.mode,
        rawState: s,
      },
    };
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private readCalls(cmd: ReadCmd): TclCall[] {
    const addr = '0x' + cmd.address.toString(16);
    const t = this.target;
    if (this.mode === 'read_memory') return [[t, 'read_memory', addr, String(cmd.width), String(cmd.count)]];
    // OpenOCD < 0.12: mem2array fills a TCL array (index -> value); clear stale entries first.
    return [
      ['array', 'unset', ARRAY_VAR],
      [t, 'mem2array', ARRAY_VAR, String(cmd.width), addr, String(cmd.count)],
      ['array', 'get', ARRAY_VAR],
    ];
  }

  private parseValues(text: string, cmd: ReadCmd): number[] {
    const words = parseTclList(text);
    let values: number[];
    if (this.mode === 'read_memory') {
      values = words.map((w) => Number(w));
    } else {
      values = new Array<number>(cmd.count).fill(NaN);
      for (let i = 0; i + 1 < words.length; i += 2) values[Number(words[i])] = Number(words[i + 1]);
    }
    if (values.length !== cmd.count || values.some((v) => !Number.isFinite(v))) {
      throw new ProbeError(
        `OpenOCD at ${this.conn.address} answered ${cmd.width}-bit read of ${cmd.count} at 0x${cmd.address.toString(16)} ` +
          `with '${text.slice(0, 80)}'`,
      );
    }
    return values;
  }

  /** A read failed: is the target unexamined, the adapter (USB probe, cable) gone, or the address bad? */
  private async raise(cmd: ReadCmd, block: MemoryBlock, message: string): Promise<never> {
    const at = `0x${block.address.toString(16)}`;
    const [examined, state] = await request(
      this.conn,
      [[[this.target, 'was_examined']], [[this.target, 'curstate']]],
      this.known,
    );
    if ((examined!.ok && examined!.value.trim() === '0') || /not examined|examine deferred/i.test(message + state!.value)) {
      throw new ProbeError(
        `OpenOCD target ${this.target} is not examined (state '${state!.value.trim()}'): OpenOCD could not talk to the chip ` +
          '(or was told to defer it); check power and wiring, then restart openocd or run `<target> arp_examine` in its console',
      );
    }
    // An address that read fine before cannot become unmapped: if it (or the last good one) fails
    // now, the adapter lost the target. OpenOCD's error text is the same in both cases.
    // Without such an address, a read of the DAP's CTRL/STAT register (no target memory involved)
    // tells the same: it fails only when the adapter cannot reach the chip.
    let adapterLost = this.knownGood === cmd.address;
    if (!adapterLost && this.knownGood !== undefined) {
      const [probe] = await request(this.conn, [this.readCalls({ address: this.knownGood, width: 8, count: 1 })], this.known);
      adapterLost = !probe!.ok;
    } else if (!adapterLost && this.dap !== undefined) {
      const [ctrlStat] = await request(this.conn, [[[this.dap, 'dpreg', '4']]], this.known);
      adapterLost = !ctrlStat!.ok;
    }
    if (adapterLost) {
      throw new ProbeDisconnectedError(
        `OpenOCD at ${this.conn.address} is up but lost the target: its adapter no longer reaches the chip (${message}); ` +
          'check the debug probe (USB, cable, target power); see the openocd log',
      );
    }
    throw new TargetMemoryError(
      `cannot read ${block.length} bytes at ${at} through OpenOCD ${this.conn.address} (${message}): ` +
        'the address is not readable on the target (unmapped, or its bus is off)',
      block.address,
      block.length,
    );
  }
}

async function helloRequest(conn: TclConnection, timeoutMs: number): Promise<Outcome[]> {
  const none: KnownObjects = { targets: new Set<string>() };
  try {
    return await request(
      conn,
      [[['version']], [['info', 'commands', 'read_memory']], [['info', 'commands', 'mem2array']], [['target', 'names']], [['target', 'current']]],
      none,
      timeoutMs,
    );
  } catch (e) {
    if (e instanceof ProbeDisconnectedError) {
      throw new ProbeDisconnectedError(
        `${conn.address} closed the connection at once: not OpenOCD's TCL port? (the TCL port is 6666; 3333 is GDB, 4444 telnet)`,
      );
    }
    if (!(e instanceof ProbeError)) throw e;
    const heard = conn.unframed();
    throw new ProbeError(
      heard
        ? `${conn.address} is not OpenOCD's TCL port: it answered '${printable(heard)}' (the TCL port is 6666; 3333 is GDB, 4444 telnet)`
        : `${conn.address} accepted the connection but never answered like OpenOCD's TCL port (6666): wrong port?`,
    );
  }
}

async function request(
  conn: TclConnection,
  groups: readonly (readonly TclCall[])[],
  known: KnownObjects,
  timeoutMs?: number,
): Promise<Outcome[]> {
  const reply = await conn.request(buildScript(groups, known), timeoutMs);
  let words: string[];
  try {
    words = parseTclList(reply);
  } catch {
    words = [];
  }
  // catch codes: 0 ok, 2 return (ok), 1 TCL error, negative: an OpenOCD error number (-4 ERROR_FAIL).
  if (words.length !== groups.length * 2 || words.some((w, i) => i % 2 === 0 && !/^-?\d+$/.test(w))) {
    throw new ProbeError(`unexpected reply from OpenOCD at ${conn.address}: '${printable(reply)}'`);
  }
  const out: Outcome[] = [];
  for (let i = 0; i < words.length; i += 2) out.push({ ok: words[i] === '0' || words[i] === '2', value: words[i + 1]! });
  return out;
}

function printable(s: string): string {
  const t = s.replace(/[^\x20-\x7e]/g, '.').slice(0, 60);
  return t.length < s.length ? t + '...' : t;
}
