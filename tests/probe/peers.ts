// Real peers for the probe tests: the rp2040js GDB server running the bundled M0+ firmware, QEMU
// (gdbstub + QMP) running the M3 firmware, and a socat pty bridge. Each starts on a free port and is
// stopped by PID.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, sleep, startPeer, waitForPort, type Peer } from '../peers/process.js';
import { openProbe } from '../../src/probe/url.js';
import { symbolAddress } from './watch-fixtures.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const M0_ELF = join(ROOT, 'firmware/prebuilt/heapdemo-m0plus-sawtooth.elf');
export const M3_ELF = join(ROOT, 'firmware/prebuilt/heapdemo-m3-sawtooth.elf');

export interface RunningPeer {
  peer: Peer;
  port: number;
  stop(): Promise<void>;
}

export async function startRp2040GdbServer(elf = M0_ELF): Promise<RunningPeer> {
  const port = await freePort();
  // The firmware engineer's peer (tests/peers/rp2040-gdb-server.ts), compiled by `npm run build`.
  const script = join(ROOT, 'dist/tests/peers/rp2040-gdb-server.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const peer = startPeer(process.execPath, [script, '--elf', elf, '--port', String(port)], { cwd: ROOT });
  try {
    await waitForPort(port, 20_000);
  } catch (err) {
    await peer.stop();
    throw new Error(`rp2040js GDB server did not start: ${peer.output()}`, { cause: err });
  }
  return {
    peer,
    port,
    stop: () => peer.stop(),
  };
}

export interface RunningQemu {
  peer: Peer;
  gdbPort: number;
  /** One QMP socket per client: QMP serves one client at a time. */
  qmpSockets: string[];
  stop(): Promise<void>;
}

export async function startQemu(elf = M3_ELF, qmpCount = 2): Promise<RunningQemu> {
  const dir = mkdtempSync(join(tmpdir(), 'heapscope-qemu-'));
  const gdbPort = await freePort();
  const qmpSockets = Array.from({ length: qmpCount }, (_, i) => join(dir, `qmp${i}.sock`));
  const args = ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', elf];
  for (const s of qmpSockets) args.push('-qmp', `unix:${s},server=on,wait=off`);
  args.push('-gdb', `tcp:127.0.0.1:${gdbPort}`);
  const peer = startPeer('qemu-system-arm', args);
  try {
    // Never probe the gdb port with waitForPort: a bare connect to QEMU's gdbstub pauses the VM and
    // closing without a detach leaves it paused. The QMP sockets and the gdb port are set up together.
    for (let i = 0; i < 200 && !qmpSockets.every((s) => existsSync(s)); i++) await sleep(50);
    if (!qmpSockets.every((s) => existsSync(s))) throw new Error('no QMP socket after 10 s');
    await waitForBoot(qmpSockets[qmpSockets.length - 1]!, elf);
  } catch (err) {
    await peer.stop();
    throw new Error(`QEMU did not start: ${peer.output()}`, { cause: err });
  }
  return {
    peer,
    gdbPort,
    qmpSockets,
    async stop() {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the firmware's reset handler has run (its tick counter moves), so that tests never read
 * .data before it was copied from flash: on a loaded host QEMU's vCPU may start late.
 */
async function waitForBoot(qmpSocket: string, elf: string): Promise<void> {
  const ticks = symbolAddress(elf, 'g_ticks');
  const r = await openProbe(`qmp:${qmpSocket}`);
  try {
    for (let i = 0; i < 200; i++) {
      const [b] = await r.readBlocks([{ address: ticks, length: 4 }]);
      if (new DataView(b!.buffer, b!.byteOffset, 4).getUint32(0, true) > 0) return;
      await sleep(50);
    }
    throw new Error('the firmware did not start ticking within 10 s');
  } finally {
    await r.close();
  }
}

/** A socat pty pair whose other end is a TCP connection to port: a serial device bridged to a server. */
export async function startPtyBridge(port: number): Promise<{ peer: Peer; path: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'heapscope-pty-'));
  const path = join(dir, 'tty');
  const peer = startPeer('socat', [`pty,link=${path},raw,echo=0`, `tcp:127.0.0.1:${port}`]);
  for (let i = 0; i < 100 && !existsSync(path); i++) await sleep(50);
  if (!existsSync(path)) {
    await peer.stop();
    throw new Error(`socat made no pty: ${peer.output()}`);
  }
  return {
    peer,
    path,
    async stop() {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
