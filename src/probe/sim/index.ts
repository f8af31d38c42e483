// The built-in emulated target (`sim:`): rp2040js running our demo firmware or any M0+ ELF.
export { openSim, type SimOptions } from './sim.js';
export { bundledFirmware, HEAP_PATTERNS, type HeapPattern, type DemoCore } from './bundled.js';
export { SimRunner, DEFAULT_SIM_SPEED, type SimRunnerOptions } from './runner.js';
export { loadFirmwareImage, type FirmwareImage, type ImageSegment } from './firmware-image.js';
