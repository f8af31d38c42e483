// `sim:` — the built-in target: a firmware ELF running on rp2040js in a worker thread, so the main
// thread (TUI, sampler) never runs the emulator. SRAM lives in a SharedArrayBuffer: reads copy it
// directly while the emulator sleeps between slices (a seqlock tells), and otherwise go to the
// worker as messages answered between slices. Either way a read never stops the emulated core and
// sees the firmware between two units of work (slices end where the firmware executes WFI).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ProbeDisconnectedError, ProbeError, ProbeTimeoutError, TargetMemoryError } from '../../errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from '../types.js';
import { bundledFirmware, heapscopeRoot } from './bundled.js';
import { loadFirmwareImage } from './firmware-image.js';
import type { FromWorker, SimStatus, SimWorkerData, ToWorker } from './protocol.js';
import { DEFAULT_SIM_SPEED, SRAM_BYTES } from './runner.js';
import { SRAM_BASE } from './memory-map.js';

export interface SimOptions {
  /** Firmware to run; default: the bundled leak demo (Cortex-M0+). */
  elfPath?: string;
  /** Firmware time per wall time (1 = real time, Infinity = as fast as the host allows). Default 1. */
  speed?: number;
  /** How long to wait for the worker to start and for each read, ms. Default 10000 / 5000. */
  startTimeoutMs?: number;
  timeoutMs?: number;
}

const MAX_BLOCK_BYTES = 0x10000;

/** The compiled worker script: beside this module in dist/, else dist/ of the package (vitest runs src/). */
function workerUrl(): URL {
  const sibling = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = join(heapscopeRoot(), 'dist', 'src', 'probe', 'sim', 'worker.js');
  if (existsSync(built)) return pathToFileURL(built);
  throw new ProbeError(`sim: worker script not found (${built}): run \`npm run build\` first`);
}

function rp2040jsVersion(): string {
  try {
    const entry = fileURLToPath(import.meta.resolve('rp2040js'));
    const m = /node_modules[\\/]rp2040js[\\/]/.exec(entry);
    if (m) {
      const pkgPath = entry.slice(0, m.index + m[0].length) + 'package.json';
      return 'rp2040js ' + (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
    }
  } catch {
    /* unknown version */
  }
  return 'rp2040js';
}

interface Pending {
  resolve: (v: FromWorker) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

class SimReader implements MemoryReader {
  readonly nonHalting = true;
  readonly maxBlockBytes = MAX_BLOCK_BYTES;
  readonly description: string;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;
  private closed = false;
  private readonly exited: Promise<void>;

  private readonly sram: Uint8Array;
  private readonly sliceCounter: Int32Array;

  constructor(
    private readonly worker: Worker,
    shared: { sram: SharedArrayBuffer; control: SharedArrayBuffer },
    private readonly elfPath: string,
    private readonly speed: number,
    private readonly timeoutMs: number,
  ) {
    this.description = `sim rp2040js ${basename(elfPath)}`;
    this.sram = new Uint8Array(shared.sram);
    this.sliceCounter = new Int32Array(shared.control);
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(new ProbeDisconnectedError(`sim worker crashed: ${err.message}`)));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', (code) => {
      if (!this.closed) this.fail(new ProbeDisconnectedError(`sim worker exited unexpectedly (code ${code})`));
    });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'failed') {
      // The core stopped (rp2040js error); memory is still readable, so keep serving reads.
      return;
    }
    if (msg.type === 'ready') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private request(make: (id: number) => ToWorker): Promise<FromWorker> {
    if (this.closed) return Promise.reject(new ProbeDisconnectedError('sim: reader is closed'));
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProbeTimeoutError(`sim: no answer from the emulator within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage(make(id));
    });
  }

  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    for (const b of blocks) {
      if (!Number.isInteger(b.address) || !Number.isInteger(b.length) || b.length < 0 || b.address < 0) {
        throw new TargetMemoryError(`sim: invalid block ${b.address}+${b.length}`, b.address, b.length);
      }
      if (b.length > MAX_BLOCK_BYTES) {
        throw new ProbeError(`sim: block of ${b.length} bytes exceeds maxBlockBytes (${MAX_BLOCK_BYTES})`);
      }
    }
    if (blocks.length === 0) return [];
    if (this.closed) throw new ProbeDisconnectedError('sim: reader is closed');
    if (this.dead) throw this.dead;
    const direct = this.readSramDirect(blocks);
    if (direct) return direct;
    const reply = await this.request((id) => ({ type: 'read', id, blocks: blocks.map((b) => ({ address: b.address, length: b.length })) }));
    if (reply.type === 'read-fail') throw new TargetMemoryError(reply.message, reply.address, reply.length);
    if (reply.type !== 'read-ok') throw new ProbeError(`sim: unexpected reply ${reply.type}`);
    return reply.data;
  }

  /**
   * SRAM straight from the shared buffer, without waking the worker: a seqlock read. Valid only if no
   * emulator slice ran during the copy (counter even and unchanged); otherwise null, and the caller
   * asks the worker, which answers between slices.
   */
  private readSramDirect(blocks: readonly MemoryBlock[]): Uint8Array[] | null {
    for (const b of blocks) {
      if (b.address < SRAM_BASE || b.address + b.length > SRAM_BASE + SRAM_BYTES) return null;
    }
    const before = Atomics.load(this.sliceCounter, 0);
    if (before & 1) return null;
    const out = blocks.map((b) => this.sram.slice(b.address - SRAM_BASE, b.address - SRAM_BASE + b.length));
    return Atomics.load(this.sliceCounter, 0) === before ? out : null;
  }

  async status(): Promise<SimStatus> {
    const reply = await this.request((id) => ({ type: 'status', id }));
    if (reply.type !== 'status') throw new ProbeError(`sim: unexpected reply ${reply.type}`);
    return reply.status;
  }

  async info(): Promise<ProbeInfo> {
    const s = await this.status();
    return {
      kind: 'sim',
      server: rp2040jsVersion(),
      target: `rp2040 core0 (Cortex-M0+) ${basename(this.elfPath)}${s.failure ? ' (stopped: firmware fault)' : ''}`,
      targetState: s.running ? 'running' : 'halted',
      extra: {
        elf: this.elfPath,
        speed: this.speed,
        firmwareMs: Math.round(s.firmwareMs),
        ...(s.failure ? { failure: s.failure } : {}),
        ...(s.warnings.length ? { warnings: s.warnings } : {}),
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    this.fail(new ProbeDisconnectedError('sim: reader is closed'));
    await this.worker.terminate();
    await this.exited;
  }
}

/** Starts the emulator on `elfPath` (default: the bundled leak demo) and returns a reader for it. */
export async function openSim(opts: SimOptions = {}): Promise<MemoryReader> {
  const elfPath = resolve(opts.elfPath ?? bundledFirmware('leak', 'm0plus'));
  const speed = opts.speed ?? DEFAULT_SIM_SPEED;
  if (typeof speed !== 'number' || !(speed > 0)) {
    throw new ProbeError(`sim: speed must be a number > 0 (got ${String(speed)})`);
  }
  const image = loadFirmwareImage(elfPath);
  const shared = { sram: new SharedArrayBuffer(SRAM_BYTES), control: new SharedArrayBuffer(16) };
  const data: SimWorkerData = { image, speed, ...shared };
  const worker = new Worker(workerUrl(), { workerData: data });
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      void worker.terminate();
      reject(new ProbeTimeoutError(`sim: emulator did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const onMessage = (m: FromWorker): void => {
      if (m.type === 'ready') {
        cleanup();
        resolve();
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      void worker.terminate();
      reject(new ProbeError(`sim: emulator failed to start on ${elfPath}: ${err.message}`));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new ProbeError(`sim: emulator exited during start (code ${code})`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    }
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  return new SimReader(worker, shared, elfPath, speed, opts.timeoutMs ?? 5_000);
}
