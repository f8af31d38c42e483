// TCP byte transport with a connect timeout and errors a user can act on.
import { connect, type Socket } from 'node:net';
import { ProbeDisconnectedError, ProbeTimeoutError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';
import { endSocket } from './socket-end.js';

export async function openTcpTransport(
  host: string,
  port: number,
  opts: { timeoutMs: number; what: string },
): Promise<ByteTransport> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new ProbeTimeoutError(
          `no answer from ${opts.what} at ${host}:${port} within ${opts.timeoutMs} ms: check the host and port, and that no firewall drops the connection`,
        ),
      );
    }, opts.timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ECONNREFUSED'
          ? `nothing is listening on ${host}:${port}: is the ${opts.what} running, and on that port?`
          : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? `unknown host '${host}'`
            : `${err.code ?? err.message}`;
      reject(new ProbeDisconnectedError(`cannot connect to ${opts.what} at ${host}:${port}: ${why}`, { cause: err }));
    });
  });
  socket.setNoDelay(true);
  return new TcpTransport(socket, `tcp ${host}:${port}`);
}

class TcpTransport implements ByteTransport {
  readonly kind = 'tcp' as const;
  private closeListeners: Array<(err?: Error) => void> = [];
  private isClosed = false;
  private failure: Error | undefined;

  constructor(
    private readonly socket: Socket,
    readonly description: string,
  ) {
    socket.on('error', (err) => {
      this.failure = err;
    });
    socket.on('close', () => {
      this.isClosed = true;
      for (const l of this.closeListeners) l(this.failure);
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(data: string | Uint8Array): void {
    if (!this.isClosed && !this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.socket.on('data', listener);
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListeners.push(listener);
  }

  abort(): void {
    this.socket.destroy();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    await endSocket(this.socket);
  }
}
