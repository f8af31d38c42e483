// What sampling produces: rows of column values and events, shared by record/, export/, the TUI and drift.

export type ColumnValue = number | bigint | string | boolean | null;

export interface Sample {
  /** Host monotonic seconds since the run started (the CSV `t`). */
  t: number;
  /** Host wall clock, epoch ms (the CSV `wall`). */
  wallMs: number;
  /** Value per column (same order as the session's columns); undefined = not read in this tick. */
  values: (ColumnValue | undefined)[];
  /** The target's own clock (raw value of --target-clock), when one is named and was read. */
  target?: number;
}

export type SessionEvent =
  | { event: 'gap'; t: number; wallMs: number; reason: string }
  | { event: 'reconnect'; t: number; wallMs: number; downS: number; attempts: number }
  | { event: 'mark'; t: number; wallMs: number; text: string };
