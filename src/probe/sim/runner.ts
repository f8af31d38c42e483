// Runs a firmware image on rp2040js, paced against wall time. Used by the sim worker thread and by
// the rp2040js GDB-server test peer (it is an IGDBTarget: executing / execute() / stop()).
//
// Why not rp2040js's own Simulator.execute(): it runs 1M instructions per event-loop turn and, when
// the core sleeps in WFI, jumps straight to the next timer alarm, so idle firmware races through
// firmware time thousands of times faster than real time. We pace firmware time to
// `speed` x wall time instead, and end each slice where the core is idle (WFI), so that reads served
// between slices see the firmware between two units of work, as a probe on a mostly idle MCU does.
import { Simulator, type Logger } from 'rp2040js';
import type { FirmwareImage } from './firmware-image.js';
import { readSimMemory } from './memory-map.js';

/** rp2040js counts instructions at 125 MHz (clk_sys after the boot ROM's setup). */
const CYCLE_NANOS = 1e9 / 125e6;
/** Instructions per slice before the event loop gets a turn (~1-5 ms of host time). */
const SLICE_INSTRUCTIONS = 100_000;
/** Extra instructions allowed to reach an idle point after the slice's time or budget is used up. */
const SETTLE_INSTRUCTIONS = 50_000;
/** When the emulator falls this far (wall ms) behind the requested speed, give up catching up. */
const MAX_LAG_WALL_MS = 1000;
/** Sleep when firmware time has caught up with the pace: firmware time advances in steps this coarse. */
const CAUGHT_UP_SLEEP_MS = 5;

export interface SimRunnerOptions {
  /** Firmware time per wall time: 1 = real time, 10 = ten times faster, Infinity = as fast as possible. */
  speed?: number;
  /** rp2040js diagnostics (unimplemented instructions, bad addresses). Errors also stop the core. */
  onLog?: (level: 'debug' | 'info' | 'warn' | 'error', component: string, message: string) => void;
  /** Called once if the emulated core cannot continue (an rp2040js error). */
  onFailure?: (err: Error) => void;
  /** Back SRAM with this buffer (SRAM_BYTES) so another thread can read it without a message. */
  sharedSram?: SharedArrayBuffer;
  /** Seqlock word: odd while a slice runs, even between slices (when memory is consistent). */
  sliceCounter?: Int32Array;
}

export const SRAM_BYTES = 264 * 1024;

export const DEFAULT_SIM_SPEED = 1;

export class SimRunner extends Simulator {
  readonly image: FirmwareImage;
  readonly speed: number;
  /** Set when the emulator threw; the core is stopped for good. */
  failure: Error | null = null;
  private pendingTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingImmediate: ReturnType<typeof setImmediate> | null = null;
  private anchorWallMs = 0;
  private anchorNanos = 0;
  private readonly onFailure?: (err: Error) => void;
  private readonly sliceCounter: Int32Array | null;

  constructor(image: FirmwareImage, opts: SimRunnerOptions = {}) {
    super();
    const speed = opts.speed ?? DEFAULT_SIM_SPEED;
    if (!(speed > 0)) throw new RangeError(`sim speed must be > 0 (got ${speed})`);
    this.speed = speed;
    this.image = image;
    this.onFailure = opts.onFailure;
    const onLog = opts.onLog;
    const logger: Logger = {
      debug: (c, m) => onLog?.('debug', c, m),
      info: (c, m) => onLog?.('info', c, m),
      warn: (c, m) => onLog?.('warn', c, m),
      error: (c, m) => {
        onLog?.('error', c, m);
        throw new Error(`rp2040js ${c}: ${m}`);
      },
    };
    this.rp2040.logger = logger;
    if (opts.sharedSram) {
      if (opts.sharedSram.byteLength !== SRAM_BYTES) throw new RangeError(`sharedSram must be ${SRAM_BYTES} bytes`);
      // rp2040js reads SRAM only through these two fields, so swapping them moves the whole memory.
      Object.assign(this.rp2040, { sram: new Uint8Array(opts.sharedSram), sramView: new DataView(opts.sharedSram) });
    }
    this.sliceCounter = opts.sliceCounter ?? null;
    this.load(image);
  }

  private load(image: FirmwareImage): void {
    const { rp2040 } = this;
    for (const seg of image.segments) {
      if (seg.address >= 0x2000_0000) rp2040.sram.set(seg.bytes, seg.address - 0x2000_0000);
      else rp2040.flash.set(seg.bytes, seg.address - 0x1000_0000);
    }
    const core = rp2040.core;
    core.VTOR = image.vectorTable;
    core.SP = rp2040.readUint32(image.vectorTable);
    core.PC = rp2040.readUint32(image.vectorTable + 4) & ~1;
  }

  /** Firmware time in nanoseconds (the emulator's clock). */
  get firmwareNanos(): number {
    return this.clock.nanos;
  }

  /**
   * Runs the core from reset until it first sleeps (WFI), at most `maxInstructions`: a reader that
   * connects right after start then sees the firmware's globals initialised, not the raw image.
   * Returns true if the core reached WFI.
   */
  boot(maxInstructions = 2_000_000): boolean {
    const { clock } = this;
    const core = this.rp2040.core;
    try {
      for (let n = 0; n < maxInstructions && !core.waiting; n++) {
        clock.tick(core.executeInstruction() * CYCLE_NANOS);
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.onFailure?.(this.failure);
    }
    return core.waiting;
  }

  override get executing(): boolean {
    return !this.stopped;
  }

  override execute(): void {
    if (!this.stopped || this.failure) return;
    this.stopped = false;
    this.reanchor();
    this.schedule(false);
  }

  override stop(): void {
    this.stopped = true;
    if (this.pendingTimer !== null) clearTimeout(this.pendingTimer);
    if (this.pendingImmediate !== null) clearImmediate(this.pendingImmediate);
    this.pendingTimer = this.pendingImmediate = null;
  }

  /** Bytes of boot ROM, flash or SRAM; TargetMemoryError elsewhere. Never touches peripherals. */
  read(address: number, length: number): Uint8Array {
    return readSimMemory(this.rp2040, address, length);
  }

  private reanchor(): void {
    this.anchorWallMs = performance.now();
    this.anchorNanos = this.clock.nanos;
  }

  private targetNanos(nowMs: number): number {
    if (!Number.isFinite(this.speed)) return Infinity;
    return this.anchorNanos + (nowMs - this.anchorWallMs) * 1e6 * this.speed;
  }

  private schedule(behind: boolean): void {
    // Behind: yield one event-loop turn (messages, GDB packets) and go on. Caught up: sleep a little.
    if (behind) this.pendingImmediate = setImmediate(() => this.slice());
    else this.pendingTimer = setTimeout(() => this.slice(), CAUGHT_UP_SLEEP_MS);
  }

  private slice(): void {
    this.pendingTimer = this.pendingImmediate = null;
    if (this.stopped) return;
    const { clock } = this;
    const core = this.rp2040.core;
    const target = this.targetNanos(performance.now());
    let n = 0;
    if (this.sliceCounter) Atomics.add(this.sliceCounter, 0, 1); // odd: memory in flux
    try {
      for (;;) {
        if (this.stopped) return; // a breakpoint (GDB server) stopped us
        const idle = core.waiting;
        if (idle && (clock.nanos >= target || n >= SLICE_INSTRUCTIONS)) break;
        if (!idle && n >= SLICE_INSTRUCTIONS + SETTLE_INSTRUCTIONS) break;
        n++;
        if (idle) {
          const toAlarm = clock.nanosToNextAlarm; // 0 when none is scheduled, or one is due now
          if (toAlarm > 0) {
            clock.tick(Math.min(toAlarm, target - clock.nanos));
            continue;
          }
          clock.tick(0); // fire alarms that are due now
          if (core.waiting) {
            // nothing will ever wake the core: let time pass anyway (bounded when speed is Infinity)
            clock.tick(Number.isFinite(target) ? Math.max(0, target - clock.nanos) : 1e6);
          }
          continue;
        }
        const cycles = core.executeInstruction();
        clock.tick(cycles * CYCLE_NANOS);
      }
    } catch (e) {
      this.stopped = true;
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.onFailure?.(this.failure);
      return;
    } finally {
      if (this.sliceCounter) Atomics.add(this.sliceCounter, 0, 1); // even: consistent again
    }
    // Lag in wall-clock terms: how long real time is ahead of firmware time at the requested speed.
    const lagWallMs = (this.targetNanos(performance.now()) - clock.nanos) / 1e6 / this.speed;
    const behind = !Number.isFinite(this.speed) || lagWallMs >= CAUGHT_UP_SLEEP_MS;
    if (behind && lagWallMs > MAX_LAG_WALL_MS) this.reanchor();
    this.schedule(behind);
  }
}
