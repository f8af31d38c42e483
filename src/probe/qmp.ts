// MemoryReader over QEMU's QMP socket: `human-monitor-command` running `xp /Nxw ADDR`, which reads
// guest physical memory while the VM keeps running (unlike the gdbstub, which pauses it).
// A QMP socket serves one client at a time: give heapscope its own `-qmp` option.
// Words are read (about half the text of bytes, so ~2x faster) and converted as little-endian: every
// Cortex-M that QEMU emulates is little-endian. Unaligned blocks read the covering words and slice.
import { connect, type Socket } from 'node:net';
import { ProbeDisconnectedError, ProbeError, ProbeTimeoutError, TargetMemoryError } from '../errors.js';
import type { MemoryBlock, MemoryReader, ProbeInfo } from './types.js';
import { endSocket } from './socket-end.js';

export type QmpAddress = { path: string } | { host: string; port: number };

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  what: string;
}

const MAX_BLOCK = 4096;
const QMP_IN_FLIGHT = 8;

export async function openQmp(addr: QmpAddress, opts: { timeoutMs?: number } = {}): Promise<MemoryReader> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const where = 'path' in addr ? addr.path : `${addr.host}:${addr.port}`;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = 'path' in addr ? connect({ path: addr.path }) : connect({ host: addr.host, port: addr.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ProbeTimeoutError(`no answer from QEMU QMP at ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ENOENT'
          ? 'no such socket: start QEMU with -qmp unix:PATH,server=on,wait=off'
          : err.code === 'ECONNREFUSED'
            ? 'nothing is listening there: is QEMU running with that -qmp option?'
            : (err.code ?? err.message);
      reject(new ProbeDisconnectedError(`cannot connect to QEMU QMP at ${where}: ${why}`, { cause: err }));
    });
  });
  const client = new QmpClient(socket, where, timeoutMs);
  try {
    const greeting = (await client.greeting) as { QMP?: { version?: { qemu?: { major: number; minor: number; micro: number } } } };
    await client.execute('qmp_capabilities');
    const v = greeting.QMP?.version?.qemu;
    return new QmpReader(client, `qmp ${where}`, v ? `QEMU ${v.major}.${v.minor}.${v.micro}` : 'QEMU');
  } catch (err) {
    client.destroy();
    throw err;
  }
}

class QmpClient {
  readonly greeting: Promise<unknown>;
  private resolveGreeting!: (v: unknown) => void;
  private rejectGreeting!: (e: Error) => void;
  private gotGreeting = false;
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private broken: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly where: string,
    private readonly timeoutMs: number,
  ) {
    this.greeting = new Promise((res, rej) => {
      this.resolveGreeting = res;
      this.rejectGreeting = rej;
    });
    this.greeting.catch(() => undefined);
    const greetTimer = setTimeout(
      () => this.fail(new ProbeTimeoutError(`QEMU QMP at ${where} sent no greeting within ${timeoutMs} ms: another client may hold this socket (QMP serves one client at a time; add another -qmp option)`)),
      timeoutMs,
    );
    this.greeting.finally(() => clearTimeout(greetTimer)).catch(() => undefined);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('error', () => undefined);
    socket.on('close', () => this.fail(new ProbeDisconnectedError(`QEMU QMP at ${where} closed the connection (QEMU exited?)`)));
  }

  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    const p = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new ProbeTimeoutError(`QEMU QMP at ${this.where} did not answer '${command}' within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, what: command });
    });
    this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    return p;
  }

  destroy(): void {
    this.socket.destroy();
  }

  close(): Promise<void> {
    return endSocket(this.socket);
  }

  private fail(err: Error): void {
    if (!this.broken) this.broken = err;
    this.rejectGreeting(err);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  private onData(text: string): void {
    this.buf += text;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: { QMP?: unknown; event?: string; id?: number; return?: unknown; error?: { class?: string; desc?: string } };
    try {
      msg = JSON.parse(line);
    } catch {
      this.fail(new ProbeError(`${this.where} is not a QEMU QMP socket: it sent ${JSON.stringify(line.slice(0, 60))}`));
      return;
    }
    if (!this.gotGreeting) {
      this.gotGreeting = true;
      if (msg.QMP === undefined) this.fail(new ProbeError(`${this.where} is not a QEMU QMP socket: it sent ${JSON.stringify(line.slice(0, 60))}`));
      else this.resolveGreeting(msg);
      return;
    }
    if (msg.event !== undefined || msg.id === undefined) return; // async events (STOP, RESUME, ...)
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) p.reject(new ProbeError(`QEMU QMP '${p.what}' failed: ${msg.error.desc ?? msg.error.class ?? 'unknown error'}`));
    else p.resolve(msg.return);
  }
}

class QmpReader implements MemoryReader {
  readonly nonHalting = true;
  readonly maxBlockBytes = MAX_BLOCK;

  constructor(
    private readonly client: QmpClient,
    readonly description: string,
    private readonly version: string,
  ) {}

  async readBlocks(blocks: readonly MemoryBlock[]): Promise<Uint8Array[]> {
    // Several commands in flight so the round trips overlap, but no more than QEMU queues per
    // monitor (8): beyond that it stops reading the socket and nothing is gained.
    const out: Uint8Array[] = [];
    for (let i = 0; i < blocks.length; i += QMP_IN_FLIGHT) {
      out.push(...(await Promise.all(blocks.slice(i, i + QMP_IN_FLIGHT).map((b) => this.readBlock(b)))));
    }
    return out;
  }

  async info(): Promise<ProbeInfo> {
    const status = (await this.client.execute('query-status')) as { status?: string; running?: boolean };
    return {
      kind: 'qmp',
      server: this.version,
      targetState: status.running ? 'running' : status.status === 'paused' ? 'halted' : 'unknown',
      extra: { status: status.status },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async readBlock(b: MemoryBlock): Promise<Uint8Array> {
    if (b.length === 0) return new Uint8Array(0);
    const start = Math.floor(b.address / 4) * 4;
    const end = Math.ceil((b.address + b.length) / 4) * 4;
    const words = (end - start) / 4;
    const text = (await this.client.execute('human-monitor-command', {
      'command-line': `xp /${words}xw 0x${start.toString(16)}`,
    })) as string;
    const bytes = parseXpWords(text, start, words);
    return bytes.slice(b.address - start, b.address - start + b.length);
  }
}

/** Parses `ADDR: 0x11223344 0x55667788\r\n...` into little-endian bytes; "Cannot access memory" -> error. */
export function parseXpWords(text: string, start: number, words: number): Uint8Array {
  const out = new Uint8Array(words * 4);
  let n = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^([0-9a-fA-F]+):\s*(.*)$/.exec(line);
    if (!m) throw new ProbeError(`unexpected answer from QEMU's xp: ${JSON.stringify(line.slice(0, 80))}`);
    const at = parseInt(m[1]!, 16);
    if (/Cannot access memory/i.test(m[2]!)) {
      throw new TargetMemoryError(
        `QEMU cannot read memory at 0x${at.toString(16)}: the address is not mapped in this machine; check the ELF matches the firmware QEMU runs`,
        at,
        words * 4 - (at - start),
      );
    }
    for (const tok of m[2]!.trim().split(/\s+/)) {
      const v = parseInt(tok, 16);
      if (!/^0x[0-9a-fA-F]+$/.test(tok) || n >= words) throw new ProbeError(`unexpected word '${tok}' in QEMU's xp answer`);
      out[n * 4] = v & 0xff;
      out[n * 4 + 1] = (v >>> 8) & 0xff;
      out[n * 4 + 2] = (v >>> 16) & 0xff;
      out[n * 4 + 3] = (v >>> 24) & 0xff;
      n++;
    }
  }
  if (n !== words) throw new ProbeError(`QEMU's xp returned ${n} words, expected ${words}`);
  return out;
}
