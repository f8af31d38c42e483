// Probe URL -> MemoryReader. The one place that knows every transport.
//   sim:[path.elf]                     built-in rp2040js target (bundled heap demo by default)
//   openocd://host[:6666][?target=N]   OpenOCD TCL RPC
//   gdb://host:port[?halting=yes|no]   GDB RSP over TCP (OpenOCD 3333, pyOCD, J-Link 2331, QEMU, rp2040js)
//   serial:/dev/ttyACM0[?baud=N]       GDB RSP over a serial device (Black Magic Probe)
//   qmp:/path.sock   qmp://host:port   QEMU QMP (reads while the VM runs)
import { UsageError } from '../errors.js';
import { openGdbRsp } from './gdb-rsp.js';
import { openQmp } from './qmp.js';
import { openSerialTransport } from './serial-transport.js';
import { openTcpTransport } from './tcp-transport.js';
import type { MemoryReader, OpenProbeOptions } from './types.js';

export const PROBE_URL_FORMS = [
  'sim:[path.elf][?speed=N]',
  'openocd://host[:6666][?target=NAME]',
  'gdb://host:port[?halting=yes|no]',
  'serial:/dev/ttyACM0[?baud=115200]',
  'qmp:/path/to/qmp.sock',
  'qmp://host:port',
];

export type ParsedProbeUrl =
  | { kind: 'sim'; elfPath?: string; speed?: number }
  | { kind: 'openocd'; host: string; port: number; target?: string }
  | { kind: 'gdb'; host: string; port: number; halting?: boolean }
  | { kind: 'serial'; path: string; baudRate: number; halting?: boolean }
  | { kind: 'qmp'; path: string }
  | { kind: 'qmp'; host: string; port: number };

function bad(url: string, why: string): UsageError {
  return new UsageError(`bad probe URL '${url}': ${why}. Accepted forms: ${PROBE_URL_FORMS.join('  ')}`);
}

function splitQuery(rest: string): [string, URLSearchParams] {
  const q = rest.indexOf('?');
  return q < 0 ? [rest, new URLSearchParams()] : [rest.slice(0, q), new URLSearchParams(rest.slice(q + 1))];
}

function parseHalting(url: string, params: URLSearchParams): boolean | undefined {
  const v = params.get('halting');
  if (v === null) return undefined;
  if (/^(1|yes|true)$/i.test(v)) return true;
  if (/^(0|no|false)$/i.test(v)) return false;
  throw bad(url, `halting must be yes or no, not '${v}'`);
}

function hostPort(url: string, authority: string, defaultPort?: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(authority);
  if (!m) throw bad(url, `cannot read host:port from '${authority}'`);
  const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
  const port = m[2] !== undefined ? Number(m[2]) : defaultPort;
  if (port === undefined) throw bad(url, 'a port is required');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(url, `port ${port} is out of range`);
  return { host, port };
}

export function parseProbeUrl(url: string): ParsedProbeUrl {
  const colon = url.indexOf(':');
  if (colon < 0) throw bad(url, 'no scheme');
  const scheme = url.slice(0, colon).toLowerCase();
  const [rest, params] = splitQuery(url.slice(colon + 1));
  switch (scheme) {
    case 'sim': {
      // speed: firmware time per wall time (the emulator may run faster than real time).
      const sp = params.get('speed');
      const speed = sp === null ? undefined : Number(sp);
      if (speed !== undefined && !(speed > 0 && Number.isFinite(speed))) throw bad(url, `speed must be a number > 0, not '${sp}'`);
      return { kind: 'sim', ...(rest ? { elfPath: rest } : {}), ...(speed !== undefined ? { speed } : {}) };
    }
    case 'openocd': {
      if (!rest.startsWith('//')) throw bad(url, 'write openocd://host[:port]');
      const target = params.get('target') ?? undefined;
      return { kind: 'openocd', ...hostPort(url, rest.slice(2), 6666), ...(target ? { target } : {}) };
    }
    case 'gdb': {
      if (!rest.startsWith('//')) throw bad(url, 'write gdb://host:port');
      const halting = parseHalting(url, params);
      return { kind: 'gdb', ...hostPort(url, rest.slice(2)), ...(halting !== undefined ? { halting } : {}) };
    }
    case 'serial': {
      const path = rest.replace(/^\/\/(?=\/)/, '');
      if (!path) throw bad(url, 'name the device, e.g. serial:/dev/ttyACM0');
      const baud = params.get('baud');
      const baudRate = baud === null ? 115200 : Number(baud);
      if (!Number.isInteger(baudRate) || baudRate <= 0) throw bad(url, `baud must be a positive integer, not '${baud}'`);
      const halting = parseHalting(url, params);
      return { kind: 'serial', path, baudRate, ...(halting !== undefined ? { halting } : {}) };
    }
    case 'qmp':
      if (rest.startsWith('//')) return { kind: 'qmp', ...hostPort(url, rest.slice(2)) };
      if (!rest) throw bad(url, 'name the socket, e.g. qmp:/tmp/qmp.sock');
      return { kind: 'qmp', path: rest };
    default:
      throw bad(url, `unknown scheme '${scheme}'`);
  }
}

export async function openProbe(url: string, opts: OpenProbeOptions = {}): Promise<MemoryReader> {
  const parsed = parseProbeUrl(url);
  const timeoutMs = opts.timeoutMs ?? 3000;
  switch (parsed.kind) {
    case 'sim': {
      // Loaded on demand: the emulator is heavy and only sim: needs it.
      const { openSim } = await import('./sim/index.js');
      const elfPath = parsed.elfPath ?? opts.elfPath;
      return openSim({ ...(elfPath ? { elfPath } : {}), ...(parsed.speed !== undefined ? { speed: parsed.speed } : {}) });
    }
    case 'openocd': {
      const { openOpenOcd } = await import('./openocd-tcl.js');
      return openOpenOcd(parsed.host, parsed.port, { ...(parsed.target ? { target: parsed.target } : {}), timeoutMs });
    }
    case 'gdb': {
      const transport = await openTcpTransport(parsed.host, parsed.port, { timeoutMs, what: 'GDB server' });
      return openGdbRsp(transport, { allowHalt: opts.allowHalt ?? false, timeoutMs, ...(parsed.halting !== undefined ? { halting: parsed.halting } : {}) });
    }
    case 'serial': {
      const transport = await openSerialTransport(parsed.path, { baudRate: parsed.baudRate, timeoutMs });
      return openGdbRsp(transport, { allowHalt: opts.allowHalt ?? false, timeoutMs, ...(parsed.halting !== undefined ? { halting: parsed.halting } : {}) });
    }
    case 'qmp':
      return openQmp('path' in parsed ? { path: parsed.path } : { host: parsed.host, port: parsed.port }, { timeoutMs });
  }
}
