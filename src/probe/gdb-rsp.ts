// MemoryReader over the GDB Remote Serial Protocol (TCP or serial). Reads with `m` packets only: it
// never sends a write packet (M, X, P, G, vFlashWrite, ...).
//
// Halting rule (how we decide whether reading stops the core), in order:
//  1. The URL says so: `?halting=yes|no` overrides everything (for stubs we cannot fingerprint).
//  2. QEMU's gdbstub answers the QEMU-only query `qqemu.sstepbits` ("ENABLE=..."). QEMU pauses the VM
//     as soon as a client connects and on every byte it receives while running: halting.
//  3. A serial stub (Black Magic Probe) halts the core for memory access on most targets: halting,
//     unless the stub proves otherwise: the program counter (`p f`) or SysTick's current value, read a
//     few times (read-only), changes, which can only happen if the core runs while we are attached.
//     (Idle firmware parked in WFI with SysTick off proves nothing: then `?halting=no` in the URL.)
//  4. Any other TCP server (rp2040js, OpenOCD, pyOCD in non-stop mode, J-Link) answers `m` while the
//     core runs: used as is. (`?` is no help here: in all-stop mode every server answers it with a stop
//     reply, rp2040js with `S05` while its core keeps running.)
// A halting server is refused with HaltingProbeError unless allowHalt. With allowHalt each readBlocks
// is interrupt (0x03) -> stop reply -> `m` reads -> `c`; the stopped time is measured; the core is
// resumed on errors, on close (then detached with `D`, which also makes QEMU resume) and on SIGINT/SIGTERM.
import { HaltingProbeError, ProbeError, TargetMemoryError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';
import { hexToBytes, isStopReply } from './rsp-framing.js';
import { anyReply, RspConnection, type ReplyFilter } from './rsp-connection.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from './types.js';

export interface GdbRspOptions {
  allowHalt?: boolean;
  timeoutMs?: number;
  /** Override the halting detection (URL `?halting=yes|no`). */
  halting?: boolean;
  /** Keep at most this many `m` requests in flight (1 disables pipelining). */
  pipelineDepth?: number;
}

/** Replies an `m` request accepts: hex bytes or an error (`E NN`, `E.text`). */
const memoryReply: ReplyFilter = (p) => /^(?:[0-9a-fA-F]{2})*$/.test(p) || /^E/.test(p);

const DEFAULT_PACKET_SIZE = 400; // hex: what the RSP spec lets a client assume without qSupported

interface Chunk {
  block: number;
  offset: number;
  address: number;
  length: number;
}

export async function openGdbRsp(transport: ByteTransport, opts: GdbRspOptions = {}): Promise<MemoryReader> {
  const conn = new RspConnection(transport, opts.timeoutMs ?? 3000, `GDB server at ${transport.description}`);
  try {
    return await GdbRspReader.handshake(conn, opts);
  } catch (err) {
    // Failed mid-handshake on a link that still works (QEMU paused the VM when we connected): detach
    // so the target is not left stopped.
    if (!conn.isBroken && !transport.closed) await conn.request('D', () => true, 500).catch(() => undefined);
    conn.fail(err instanceof Error ? err : new Error(String(err)));
    // A refused halting server was already detached and closed gracefully; anything else failed
    // mid-handshake and gets no more courtesy.
    if (!transport.closed) transport.abort();
    throw err;
  }
}

class GdbRspReader implements MemoryReader {
  readonly description: string;
  readonly maxBlockBytes: number;
  private running = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private stoppedMsTotal = 0;
  private lastStoppedMs: number | null = null;
  private haltCycles = 0;
  private readonly signalHandler: (() => void) | undefined;

  private constructor(
    private readonly conn: RspConnection,
    readonly nonHalting: boolean,
    private readonly server: string,
    private readonly serverKind: string,
    private readonly packetSize: number,
    private readonly pipelineDepth: number,
    private readonly firstStop: string,
  ) {
    this.description = `gdb-rsp ${conn.transport.description} (${serverKind}${nonHalting ? '' : ', halts the core per read'})`;
    // Reply `$` + 2 hex chars per byte + `#cs` must fit the server's packet buffer.
    this.maxBlockBytes = Math.max(16, Math.floor((packetSize - 8) / 2));
    // A stop reply nobody asked for: the core stopped by itself (breakpoint, exit) while running.
    conn.onStrayStop = () => {
      this.running = false;
    };
    if (!nonHalting) {
      // Never leave a target halted that we found running, also when the user presses Ctrl-C.
      this.signalHandler = () => {
        void this.close().finally(() => {
          if (process.listenerCount('SIGINT') === 0 && process.listenerCount('SIGTERM') === 0) process.exit(130);
        });
      };
      process.once('SIGINT', this.signalHandler);
      process.once('SIGTERM', this.signalHandler);
    }
  }

  static async handshake(conn: RspConnection, opts: GdbRspOptions): Promise<GdbRspReader> {
    const supported = await conn.request('qSupported:swbreak+;hwbreak+');
    const features = parseSupported(supported);
    const packetSize = features.get('PacketSize') ? parseInt(features.get('PacketSize')!, 16) : DEFAULT_PACKET_SIZE;
    // Asked even when not advertised: QEMU 7.2 supports it without listing it in qSupported.
    // Servers that do not know it answer with an empty packet, and acks stay on.
    if (features.get('QStartNoAckMode') !== '-') {
      const ok = await conn.request('QStartNoAckMode');
      if (ok === 'OK') conn.noAck = true;
    }
    const firstStop = await conn.request('?', (p) => isStopReply(p) || p === 'OK');
    const qemu = (await conn.request('qqemu.sstepbits')).startsWith('ENABLE=');
    const serverKind = qemu ? 'QEMU gdbstub' : conn.transport.kind === 'serial' ? 'serial GDB stub' : 'GDB server';

    let halting: boolean;
    if (opts.halting !== undefined) halting = opts.halting;
    else if (qemu) halting = true;
    else if (conn.transport.kind === 'serial') halting = !(await coreMoves(conn));
    else halting = false;

    // Pipelining is safe when nothing is retransmitted (no-ack mode) or the link cannot corrupt bytes
    // (TCP); on a serial line in ack mode a `-` would reorder replies, so one request at a time.
    const canPipeline = conn.noAck || conn.transport.kind === 'tcp';
    const pipelineDepth = canPipeline ? Math.max(1, opts.pipelineDepth ?? 16) : 1;
    const reader = new GdbRspReader(conn, !halting, supported, serverKind, packetSize, pipelineDepth, firstStop);
    if (halting) {
      if (!opts.allowHalt) {
        await reader.close();
        throw new HaltingProbeError(
          `this server halts the core to read memory (${serverKind} at ${conn.transport.description}; ` +
            `QEMU gdbstub / Black Magic Probe): use qmp:... for QEMU, or pass --allow-halt to halt, read and resume on every sample` +
            (qemu ? '' : ' (or add ?halting=no to the URL if this server reads while the core runs)'),
        );
      }
      // A halting stub stopped the core when we attached: let it run between samples.
      reader.resume();
    }
    return reader;
  }

  readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    return this.serialized(async () => {
      if (this.closed) throw new ProbeError(`${this.description} is closed`);
      if (this.nonHalting) return this.readAll(blocks);
      const t0 = performance.now();
      if (this.running) await this.conn.interrupt();
      this.running = false;
      try {
        return await this.readAll(blocks);
      } finally {
        // The core is stopped (the interrupt was answered): resume it even if a read failed or timed
        // out, as long as the link is open. (Never write blindly to QEMU while it runs: any byte pauses it.)
        if (!this.conn.transport.closed) this.resume(true);
        const stopped = performance.now() - t0;
        this.lastStoppedMs = stopped;
        this.stoppedMsTotal += stopped;
        this.haltCycles++;
      }
    });
  }

  async info(): Promise<ProbeInfo> {
    return {
      kind: 'gdb-rsp',
      server: `${this.serverKind}: ${this.server}`,
      targetState: this.nonHalting ? 'unknown' : this.running ? 'running' : 'halted',
      extra: {
        halting: !this.nonHalting,
        packetSize: this.packetSize,
        noAck: this.conn.noAck,
        firstStopReply: this.firstStop,
        haltCycles: this.haltCycles,
        stoppedMsTotal: this.stoppedMsTotal,
        lastStoppedMs: this.lastStoppedMs,
      },
    };
  }

  close(): Promise<void> {
    if (this.closed) return this.queue.then(() => undefined, () => undefined);
    this.closed = true;
    if (this.signalHandler) {
      process.removeListener('SIGINT', this.signalHandler);
      process.removeListener('SIGTERM', this.signalHandler);
    }
    // Runs after any read in flight, so a halt cycle always finishes with its `c` first.
    const done = this.queue.then(
      () => this.detach(),
      () => this.detach(),
    );
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async detach(): Promise<void> {
    const conn = this.conn;
    try {
      if (!conn.isBroken) {
        // `D` needs a stopped target in all-stop mode; the stub resumes it on detach (QEMU does).
        if (!this.nonHalting && this.running) {
          await conn.interrupt(1000);
          this.running = false;
        }
        const reply = await conn.request('D', (p) => p === 'OK' || p === '' || /^E/.test(p), 1000);
        // A stub without detach (empty reply, e.g. rp2040js) keeps the core stopped: resume it.
        if (reply !== 'OK' && !this.nonHalting && !this.running) conn.send('c');
      }
    } catch {
      // Best effort: if we stopped the core and cannot detach, at least ask it to run.
      if (!this.nonHalting && !this.running && !conn.transport.closed) {
        try {
          conn.send('c', true);
        } catch {
          /* connection gone */
        }
      }
    } finally {
      await conn.transport.close();
    }
  }

  private resume(evenIfBroken = false): void {
    this.conn.send('c', evenIfBroken);
    this.running = true;
  }

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readAll(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    const out = blocks.map((b) => new Uint8Array(b.length));
    let todo: Chunk[] = [];
    blocks.forEach((b, block) => {
      for (let offset = 0; offset < b.length; offset += this.maxBlockBytes) {
        todo.push({ block, offset, address: b.address + offset, length: Math.min(this.maxBlockBytes, b.length - offset) });
      }
    });
    while (todo.length > 0) {
      const batch = todo.splice(0, this.pipelineDepth);
      const replies =
        batch.length === 1
          ? [await this.conn.request(mPacket(batch[0]!), memoryReply)]
          : await this.conn.requestMany(batch.map(mPacket), memoryReply);
      const again: Chunk[] = [];
      batch.forEach((chunk, i) => {
        const reply = replies[i]!;
        if (/^E/.test(reply)) {
          throw new TargetMemoryError(
            `the target cannot read ${chunk.length} bytes at 0x${chunk.address.toString(16)} (server answered ${reply}): ` +
              'check the address is mapped (RAM/flash, not a hole), or that the ELF matches the firmware',
            chunk.address,
            chunk.length,
          );
        }
        const bytes = hexToBytes(reply);
        if (bytes.length === 0) {
          throw new TargetMemoryError(
            `the server returned no bytes for 0x${chunk.address.toString(16)} (+${chunk.length}): unreadable address?`,
            chunk.address,
            chunk.length,
          );
        }
        const n = Math.min(bytes.length, chunk.length);
        out[chunk.block]!.set(bytes.subarray(0, n), chunk.offset);
        // The spec lets a server return fewer bytes than asked: ask again for the rest.
        if (n < chunk.length) {
          again.push({ block: chunk.block, offset: chunk.offset + n, address: chunk.address + n, length: chunk.length - n });
        }
      });
      todo = again.concat(todo);
    }
    return out;
  }
}

function mPacket(c: { address: number; length: number }): string {
  return `m${(c.address >>> 0).toString(16)},${c.length.toString(16)}`;
}

function parseSupported(reply: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const item of reply.split(';')) {
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq >= 0) m.set(item.slice(0, eq), item.slice(eq + 1));
    else if (/[+\-?]$/.test(item)) m.set(item.slice(0, -1), item.slice(-1));
  }
  return m;
}

// SysTick current value (SYST_CVR): counts down while the core runs with SysTick on (every RTOS
// tick), frozen while halted. Reading it has no side effect (unlike SYST_CSR, whose read clears COUNTFLAG).
const SYST_CVR = 0xe000e018;

/**
 * True if the core provably runs while we are attached: the program counter (`p f`) or SysTick's
 * current value changes across a few reads. Idle firmware parked in WFI without SysTick proves
 * nothing (then the caller keeps its presumption).
 */
async function coreMoves(conn: RspConnection): Promise<boolean> {
  const seen = new Map<string, string>();
  for (let i = 0; i < 5; i++) {
    for (const [key, command, ok] of [
      ['pc', 'p f', /^[0-9a-fA-F]{8}$/],
      ['systick', `m${SYST_CVR.toString(16)},4`, /^[0-9a-fA-F]{8}$/],
    ] as const) {
      let reply: string;
      try {
        reply = await conn.request(command, anyReply);
      } catch (err) {
        if (conn.isBroken) throw err;
        continue;
      }
      if (!ok.test(reply)) continue; // not readable on this stub: proves nothing
      const before = seen.get(key);
      if (before === undefined) seen.set(key, reply);
      else if (before !== reply) return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
