// The target's own clock as seconds: `--target-clock g_ticks` read with every sample, so that rates and
// verdicts follow firmware time, not a host that may be slowed by a loaded link. A clock that goes back
// (a reboot, a 32-bit tick counter wrapping) continues from where it was, so time never runs backwards.

export class TargetTimeline {
  private base: number | null = null;
  private offset = 0;
  private last = 0;

  constructor(private readonly secondsPerTick: number) {
    if (!(secondsPerTick > 0) || !Number.isFinite(secondsPerTick)) throw new RangeError('secondsPerTick must be > 0');
  }

  /** Seconds since the first tick seen. */
  at(ticks: number): number {
    if (this.base === null) this.base = ticks;
    let t = (ticks - this.base) * this.secondsPerTick + this.offset;
    if (t < this.last) {
      this.base = ticks;
      this.offset = this.last;
      t = this.last;
    }
    this.last = t;
    return t;
  }
}
