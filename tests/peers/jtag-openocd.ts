// Starts the real OpenOCD (0.12) against the JTAG simulator: remote_bitbang adapter, one JTAG-DP TAP,
// a mem_ap target on AP 0 whose GDB port does not halt on attach. Ports are free ones.
import { freePort, startPeer, waitForPort, type Peer } from './process.js';
import { DP_IDCODE } from './jtag-dp.js';

export const SIM_TARGET = 'sim.mem';

export interface OpenOcdPeer {
  readonly peer: Peer;
  readonly tclPort: number;
  readonly gdbPort: number;
  stop(): Promise<void>;
}

/** OpenOCD's command lines for the simulator: also what docs/probes.md shows for real hardware. */
export interface OpenOcdSimOptions {
  /** Extra OpenOCD commands run after init (e.g. to imitate an older OpenOCD). */
  after?: readonly string[];
  /** Create the target with -defer-examine: OpenOCD never examines it (the "target not examined" fault). */
  deferExamine?: boolean;
}

export function openOcdSimArgs(bitbangPort: number, tclPort: number, gdbPort: number, opts: OpenOcdSimOptions = {}): string[] {
  const idcode = '0x' + DP_IDCODE.toString(16).padStart(8, '0');
  const cmds = [
    'adapter driver remote_bitbang',
    'remote_bitbang host 127.0.0.1',
    `remote_bitbang port ${bitbangPort}`,
    'transport select jtag',
    `jtag newtap sim cpu -irlen 4 -expected-id ${idcode}`,
    'dap create sim.dap -chain-position sim.cpu',
    `target create ${SIM_TARGET} mem_ap -dap sim.dap -ap-num 0 -gdb-port ${gdbPort}${opts.deferExamine ? ' -defer-examine' : ''}`,
    // A GDB attach would otherwise halt the target: keep it running (the J-Scope path). The body
    // must not be empty when set before `init`: init installs the default "halt 1000" wherever the
    // gdb-attach body is still empty.
    `${SIM_TARGET} configure -event gdb-attach { # heapscope: attach without halting }`,
    'gdb_report_data_abort enable',
    `tcl_port ${tclPort}`,
    'telnet_port disabled',
    'init',
    ...(opts.after ?? []),
  ];
  return cmds.flatMap((c) => ['-c', c]);
}

export async function startOpenOcd(bitbangPort: number, opts: OpenOcdSimOptions = {}): Promise<OpenOcdPeer> {
  const tclPort = await freePort();
  const gdbPort = await freePort();
  const peer = startPeer('openocd', openOcdSimArgs(bitbangPort, tclPort, gdbPort, opts));
  try {
    await waitForPort(tclPort, 20_000);
  } catch (e) {
    await peer.stop();
    throw new Error(`openocd did not open its TCL port: ${(e as Error).message}\n${peer.output()}`);
  }
  return { peer, tclPort, gdbPort, stop: () => peer.stop() };
}
