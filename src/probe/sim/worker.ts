// Worker-thread entry of the sim: owns the emulated RP2040 so that the main thread (TUI, sampler)
// never waits on the CPU-bound emulator. SRAM is the shared buffer the reader copies directly; reads
// it cannot do that way (mid-slice, or flash / boot ROM) arrive as messages and are answered here
// between two emulator slices, which end where the firmware sleeps (see runner.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { TargetMemoryError } from '../../errors.js';
import { SimRunner } from './runner.js';
import type { FromWorker, SimWorkerData, ToWorker } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('sim worker must run in a worker thread');

const MAX_WARNINGS = 20;
const warnings: string[] = [];
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

const { image, speed, sram, control } = workerData as SimWorkerData;
const runner = new SimRunner(image, {
  speed,
  sharedSram: sram,
  sliceCounter: new Int32Array(control),
  onLog: (level, component, message) => {
    if ((level === 'warn' || level === 'error') && warnings.length < MAX_WARNINGS) {
      warnings.push(`${component}: ${message}`);
    }
  },
  onFailure: (err) => post({ type: 'failed', message: err.message }),
});

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'read': {
      try {
        const data = msg.blocks.map((b) => runner.read(b.address, b.length));
        post({ type: 'read-ok', id: msg.id, data }, data.map((d) => d.buffer as ArrayBuffer));
      } catch (e) {
        if (e instanceof TargetMemoryError) {
          post({ type: 'read-fail', id: msg.id, message: e.message, address: e.address, length: e.length });
        } else {
          post({ type: 'read-fail', id: msg.id, message: String(e), address: 0, length: 0 });
        }
      }
      break;
    }
    case 'status':
      post({
        type: 'status',
        id: msg.id,
        status: {
          running: runner.executing,
          firmwareMs: runner.firmwareNanos / 1e6,
          failure: runner.failure?.message ?? null,
          warnings: [...warnings],
        },
      });
      break;
  }
});

runner.boot();
runner.execute();
post({ type: 'ready' });
