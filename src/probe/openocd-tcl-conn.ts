// OpenOCD TCL RPC framing over TCP: a request is a script followed by 0x1a, the reply is text
// followed by 0x1a, in order. Requests are pipelined FIFO; a request that times out keeps its place
// in the queue so its late reply is dropped instead of being taken for the next one's answer.
import { connect, type Socket } from 'node:net';
import { ProbeDisconnectedError, ProbeTimeoutError } from '../errors.js';
import type { AllowedScript } from './openocd-tcl-script.js';

const EOT = 0x1a;

interface Pending {
  resolve(text: string): void;
  reject(err: Error): void;
  abandoned: boolean;
  timer?: NodeJS.Timeout;
}

export class TclConnection {
  private readonly queue: Pending[] = [];
  private chunks: Buffer[] = [];
  private lost: Error | undefined;

  private constructor(
    private readonly sock: Socket,
    readonly host: string,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(this.lostError(e.message)));
    sock.on('close', () => this.fail(this.lostError('connection closed')));
  }

  static open(host: string, port: number, timeoutMs: number): Promise<TclConnection> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ProbeTimeoutError(`no answer from ${host}:${port} within ${timeoutMs} ms: is it OpenOCD's TCL port (6666)?`));
      }, timeoutMs);
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectError(host, port, e));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        sock.setNoDelay(true);
        resolve(new TclConnection(sock, host, port, timeoutMs));
      });
    });
  }

  /** Bytes received that no 0x1a has ended yet: what a wrong server said, for error messages. */
  unframed(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Sends one script; resolves with the reply text (without the 0x1a). */
  request(script: AllowedScript, timeoutMs = this.timeoutMs): Promise<string> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject, abandoned: false };
      p.timer = setTimeout(() => {
        p.abandoned = true;
        reject(new ProbeTimeoutError(`OpenOCD at ${this.address} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.queue.push(p);
      this.sock.write(Buffer.concat([Buffer.from(script, 'latin1'), Buffer.of(EOT)]));
    });
  }

  close(): Promise<void> {
    this.lost ??= new ProbeDisconnectedError(`connection to OpenOCD at ${this.address} was closed by heapscope`);
    return new Promise((resolve) => {
      if (this.sock.destroyed) return resolve();
      this.sock.once('close', () => resolve());
      this.sock.end();
      setTimeout(() => {
        this.sock.destroy();
        resolve();
      }, 500).unref();
    });
  }

  private onData(d: Buffer): void {
    let start = 0;
    for (let i = d.indexOf(EOT); i >= 0; i = d.indexOf(EOT, start)) {
      this.chunks.push(d.subarray(start, i));
      const text = Buffer.concat(this.chunks).toString('latin1');
      this.chunks = [];
      start = i + 1;
      const p = this.queue.shift();
      if (!p) continue; // unsolicited: OpenOCD sends nothing unasked on this port
      clearTimeout(p.timer);
      if (!p.abandoned) p.resolve(text);
    }
    if (start < d.length) this.chunks.push(d.subarray(start));
  }

  private lostError(why: string): ProbeDisconnectedError {
    return new ProbeDisconnectedError(`lost the connection to OpenOCD at ${this.address} (${why}): did openocd exit?`);
  }

  private fail(err: Error): void {
    this.lost ??= err;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      if (!p.abandoned) p.reject(this.lost);
    }
  }
}

export function connectError(host: string, port: number, e: NodeJS.ErrnoException): ProbeDisconnectedError {
  const where = `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ProbeDisconnectedError(
        `nothing listening on ${where}: is openocd running? start it with ` +
          '`openocd -f interface/<your-probe>.cfg -f target/<your-chip>.cfg`; the TCL port is 6666',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ProbeDisconnectedError(`cannot resolve host '${host}' (${e.code}): check the probe URL`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProbeDisconnectedError(`cannot reach ${where} (${e.code}): check the host and network`);
    default:
      return new ProbeDisconnectedError(`cannot connect to OpenOCD at ${where}: ${e.message}`);
  }
}
