// A byte pipe to a debug server (TCP socket or serial device). The RSP client talks to this, so the
// same protocol code serves `gdb://` and `serial:` URLs.

export interface ByteTransport {
  /** "tcp 127.0.0.1:3333", "serial /dev/ttyACM0 @115200" */
  readonly description: string;
  /** 'tcp' or 'serial': a serial stub (Black Magic Probe) is presumed to halt the core. */
  readonly kind: 'tcp' | 'serial';
  write(data: string | Uint8Array): void;
  /** Called with every chunk the peer sends. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once when the peer closes or the connection breaks (err set for a failure). */
  onClose(listener: (err?: Error) => void): void;
  readonly closed: boolean;
  /** Graceful close: lets queued bytes (a final `D`) go out, waits for the peer (at most 1 s). */
  close(): Promise<void>;
  /** Immediate close, for a peer that cannot be trusted to answer (wrong protocol, stuck). */
  abort(): void;
}
