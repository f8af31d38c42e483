// The probe boundary: everything above this file knows only MemoryReader. Transports (OpenOCD TCL,
// GDB RSP over TCP or serial, QEMU QMP, the built-in sim) swap behind it.

export interface MemoryBlock {
  address: number;
  length: number;
}

/** What `heapscope probe` prints about a connection. */
export interface ProbeInfo {
  /** "openocd", "gdb-rsp", "qmp", "sim" */
  kind: string;
  /** Server identity: OpenOCD version, GDB stub's qSupported features, QMP version, ... */
  server: string;
  /** Target name and state if the server tells ("rp2040.core0 running"). */
  target?: string;
  targetState?: 'running' | 'halted' | 'reset' | 'unknown';
  extra?: Record<string, unknown>;
}

export interface MemoryReader {
  /** Human description, e.g. "openocd tcl 127.0.0.1:6666". */
  readonly description: string;
  /** True when reads do not stop the core. */
  readonly nonHalting: boolean;
  /** Largest single block one request can carry; the planner splits above this. */
  readonly maxBlockBytes: number;
  /** Read all blocks; result i holds blocks[i].length bytes. Never writes target memory. */
  readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]>;
  /** Server/target identity for `heapscope probe`. */
  info(): Promise<ProbeInfo>;
  /** Release the connection; leaves the target as it was found (running if it was running). */
  close(): Promise<void>;
}

export interface OpenProbeOptions {
  /** Allow a server that halts the core to read (QEMU gdbstub, Black Magic Probe). */
  allowHalt?: boolean;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /** ELF to run for `sim:` when the URL does not name one. */
  elfPath?: string;
}
