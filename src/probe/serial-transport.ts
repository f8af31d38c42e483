// Serial byte transport (the Black Magic Probe's GDB port, or any RSP stub on a UART) via `serialport`.
import { SerialPort } from 'serialport';
import { ProbeDisconnectedError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';

export async function openSerialTransport(path: string, opts: { baudRate: number; timeoutMs: number }): Promise<ByteTransport> {
  const port = new SerialPort({ path, baudRate: opts.baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ProbeDisconnectedError(`opening serial device ${path} took longer than ${opts.timeoutMs} ms`)), opts.timeoutMs);
    port.open((err) => {
      clearTimeout(timer);
      if (!err) return resolve();
      const msg = err.message;
      const why = /ENOENT|No such file/i.test(msg)
        ? 'no such device: is the probe plugged in? (ls /dev/ttyACM* /dev/ttyUSB*)'
        : /EACCES|Permission denied/i.test(msg)
          ? 'permission denied: add yourself to the dialout group (or uucp on some systems)'
          : /EBUSY|Resource busy|lock/i.test(msg)
            ? 'the device is in use by another program (gdb, screen, minicom?)'
            : msg;
      reject(new ProbeDisconnectedError(`cannot open serial device ${path}: ${why}`, { cause: err }));
    });
  });
  return new SerialTransport(port, `serial ${path} @${opts.baudRate}`);
}

class SerialTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  private closeListeners: Array<(err?: Error) => void> = [];
  private isClosed = false;

  constructor(
    private readonly port: SerialPort,
    readonly description: string,
  ) {
    let failure: Error | undefined;
    port.on('error', (err: Error) => {
      failure = err;
    });
    port.on('close', (err?: Error) => {
      this.isClosed = true;
      for (const l of this.closeListeners) l(err ?? failure);
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: string | Uint8Array): void {
    if (!this.isClosed) this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.port.on('data', listener);
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  abort(): void {
    if (this.port.isOpen) this.port.close(() => undefined);
  }

  async close(): Promise<void> {
    if (this.isClosed || !this.port.isOpen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      // Let queued bytes (the final `D`) reach the stub before the device closes.
      this.port.drain(() => {
        this.port.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }
}
