// One RSP conversation over a byte transport: sends commands, matches replies, handles `+`/`-` acks
// and retransmits, no-ack mode, pipelined requests, timeouts, a peer that closes, and a peer that
// does not speak RSP at all. Knows nothing about memory or halting (gdb-rsp.ts does).
import { ProbeDisconnectedError, ProbeError, ProbeTimeoutError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';
import { encodePacket, isConsoleOutput, isStopReply, RspDecoder, type RspEvent } from './rsp-framing.js';

/** Which replies a request accepts; anything else that arrives meanwhile is a stray (O packets, stop replies). */
export type ReplyFilter = (payload: string) => boolean;

export const anyReply: ReplyFilter = (p) => !isConsoleOutput(p) && !isStopReply(p);
export const stopReplyOnly: ReplyFilter = (p) => isStopReply(p);

interface Pending {
  command: string;
  accept: ReplyFilter;
  resolve(payload: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Unacked {
  frame: string;
  command: string;
  retries: number;
}

const MAX_RETRANSMITS = 3;
const INTERRUPT_RETRY_MS = 200;

export class RspConnection {
  /** After QStartNoAckMode: neither side sends `+`/`-`. */
  noAck = false;
  /** Packets the server sent that no request wanted (stop replies while running, console output). */
  readonly strays: string[] = [];
  private readonly decoder = new RspDecoder();
  private readonly pending: Pending[] = [];
  private readonly unacked: Unacked[] = [];
  /** Anything valid from the server yet? Until then, foreign bytes mean a different protocol. */
  private spokeRsp = false;
  private foreign = '';
  private broken: Error | undefined;
  /** Called when a stop reply arrives that no request asked for. */
  onStrayStop: ((payload: string) => void) | undefined;

  constructor(
    readonly transport: ByteTransport,
    readonly timeoutMs: number,
    /** What to call the peer in messages: "GDB server at tcp 127.0.0.1:3333". */
    readonly peerName: string,
  ) {
    transport.onData((chunk) => this.onBytes(chunk));
    transport.onClose((err) => this.onClosed(err));
  }

  get isBroken(): boolean {
    return this.broken !== undefined || this.transport.closed;
  }

  /** Sends one command and resolves with the first reply `accept` takes. */
  request(command: string, accept: ReplyFilter = anyReply, timeoutMs = this.timeoutMs): Promise<string> {
    if (this.broken) return Promise.reject(this.broken);
    const p = this.expect(command, accept, timeoutMs);
    this.sendFrame(command);
    return p;
  }

  /** Sends commands back to back without waiting, replies matched in order (servers answer in order). */
  requestMany(commands: readonly string[], accept: ReplyFilter = anyReply): Promise<string[]> {
    if (this.broken) return Promise.reject(this.broken);
    const replies = commands.map((c) => this.expect(c, accept, this.timeoutMs));
    this.transport.write(commands.map((c) => this.frameFor(c)).join(''));
    return Promise.all(replies);
  }

  /** Sends a command that has no reply (`c` in all-stop mode); in ack mode the `+` still comes. */
  send(command: string, evenIfBroken = false): void {
    if (this.broken && !evenIfBroken) throw this.broken;
    if (this.transport.closed) throw this.broken ?? new ProbeDisconnectedError(`${this.peerName} is closed`);
    this.sendFrame(command);
  }

  /** The out-of-band interrupt byte (Ctrl-C); the server answers with a stop reply. */
  interrupt(timeoutMs = this.timeoutMs): Promise<string> {
    if (this.broken) return Promise.reject(this.broken);
    const p = this.expect('interrupt (0x03)', stopReplyOnly, timeoutMs);
    this.transport.write(Uint8Array.of(3));
    // Some stubs only notice 0x03 at the start of a read (rp2040js checks the first byte of each
    // chunk), so one that arrives glued to our previous `+` is lost: repeat it until the stop reply.
    // A repeat that reaches an already stopped target is ignored by stubs (QEMU, rp2040js re-stops).
    const retry = setInterval(() => {
      if (this.broken) clearInterval(retry);
      else this.transport.write(Uint8Array.of(3));
    }, INTERRUPT_RETRY_MS);
    return p.finally(() => clearInterval(retry));
  }

  /** Fails everything in flight and marks the connection unusable (the caller reconnects). */
  fail(err: Error): void {
    if (!this.broken) this.broken = err;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  private frameFor(command: string): string {
    const frame = encodePacket(command);
    if (!this.noAck) this.unacked.push({ frame, command, retries: 0 });
    return frame;
  }

  private sendFrame(command: string): void {
    this.transport.write(this.frameFor(command));
  }

  private expect(command: string, accept: ReplyFilter, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new ProbeTimeoutError(
          `${this.peerName} did not answer '${command}' within ${timeoutMs} ms: ` +
            (this.spokeRsp
              ? 'the server or the link is stuck; check the probe connection'
              : 'is this a GDB server port?'),
        );
        // A late reply would be matched to the wrong request: the connection cannot be trusted now.
        this.fail(err);
      }, timeoutMs);
      this.pending.push({ command, accept, resolve, reject, timer });
    });
  }

  private onBytes(chunk: Uint8Array): void {
    // Before the first valid reply, a chunk that does not start like RSP is another protocol talking
    // (a banner such as "SSH-2.0-..." would otherwise parse its '-' as a nak).
    if (!this.spokeRsp && chunk.length > 0 && !'+-$%'.includes(String.fromCharCode(chunk[0]!))) {
      this.onForeignBytes(chunk);
      return;
    }
    for (const ev of this.decoder.feed(chunk)) this.onEvent(ev);
  }

  private onEvent(ev: RspEvent): void {
    switch (ev.kind) {
      case 'ack':
        // Includes the unsolicited `+` some servers (rp2040js) send on connect: nothing to shift then.
        this.spokeRsp = true;
        this.unacked.shift();
        return;
      case 'nak': {
        this.spokeRsp = true;
        const head = this.unacked[0];
        if (!head) return;
        if (this.pending.length > 1) {
          // Pipelined: a retransmit would be answered out of order. Over TCP this never happens.
          this.fail(new ProbeError(`${this.peerName} rejected '${head.command}' (bad checksum) while several requests were in flight; reconnect`));
          return;
        }
        if (++head.retries > MAX_RETRANSMITS) {
          this.fail(new ProbeError(`${this.peerName} rejected '${head.command}' ${MAX_RETRANSMITS} times (bad checksum): the serial line is noisy or the baud rate is wrong`));
          return;
        }
        this.transport.write(head.frame);
        return;
      }
      case 'notification':
        this.spokeRsp = true;
        return;
      case 'garbage':
        this.onForeignBytes(ev.bytes);
        return;
      case 'packet':
        this.spokeRsp = true;
        if (!ev.ok) {
          if (this.noAck) {
            this.fail(new ProbeError(`${this.peerName} sent a corrupt packet (checksum mismatch) in no-ack mode; reconnect`));
          } else this.transport.write('-'); // the server retransmits
          return;
        }
        if (!this.noAck) this.transport.write('+');
        this.onPacket(ev.payload);
        return;
    }
  }

  private onPacket(payload: string): void {
    const head = this.pending[0];
    if (head && head.accept(payload)) {
      this.pending.shift();
      clearTimeout(head.timer);
      head.resolve(payload);
      return;
    }
    if (isStopReply(payload)) this.onStrayStop?.(payload);
    if (this.strays.length < 64) this.strays.push(payload);
  }

  private onForeignBytes(bytes: Uint8Array): void {
    if (this.spokeRsp) return; // line noise on a serial link after a good start: ignore it
    this.foreign += Buffer.from(bytes).toString('latin1');
    this.fail(new ProbeError(describeForeignPeer(this.peerName, this.foreign)));
  }

  private onClosed(err?: Error): void {
    const inFlight = this.pending[0]?.command;
    const what = this.spokeRsp
      ? inFlight
        ? `${this.peerName} closed the connection while answering '${inFlight}'`
        : `${this.peerName} closed the connection`
      : `${this.peerName} closed the connection without answering: is this a GDB server port?`;
    this.fail(new ProbeDisconnectedError(what + (err ? ` (${(err as NodeJS.ErrnoException).code ?? err.message})` : ''), { cause: err }));
  }
}

/** Says what answered instead of a GDB server, so the user can fix the port. */
export function describeForeignPeer(peerName: string, text: string): string {
  const shown = JSON.stringify(text.replace(/\s+$/, '').slice(0, 60));
  let guess = 'something that does not speak GDB RSP';
  if (/^HTTP\//.test(text)) guess = 'an HTTP server';
  else if (/^SSH-/.test(text)) guess = 'an SSH server';
  else if (/^\{"QMP"/.test(text)) guess = 'a QEMU QMP socket (use qmp://host:port)';
  else if (/Open On-Chip Debugger/.test(text)) guess = "OpenOCD's telnet port (its GDB port is usually 3333; or use openocd://host:6666)";
  return `${peerName} is not a GDB server: it answered ${shown}, which looks like ${guess}`;
}
