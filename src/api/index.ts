// heapscope's scripting API (the package's main entry): drive heapscope from Node/TypeScript scripts
// and test runners. Thin by design: every function here calls the modules the CLI uses, so a script
// and `heapscope read/heap/record/report` give the same answers. See docs/scripting.md.
//
//   const fw = await loadFirmware('fw.elf');
//   const target = await connect(fw, 'openocd://127.0.0.1:6666');
//   const { 'g_heap.used': used } = await target.read(['g_heap.used']);
//   for await (const s of target.sample(['g_heap.used'], { rateHz: 50, durationS: 10 })) ...
//   await target.close();

export { loadFirmware, Firmware, type LoadFirmwareOptions, type ResolvedExpression, type AllocatorInfo, type VariableInfo } from './firmware.js';
export { connect, Target, type ConnectOptions, type HeapOptions } from './target.js';
export { SampleStream, type SampleOptions, type TargetSample, type SampleStreamStats } from './sample-stream.js';
export { readRecording, type Recording, type ReadRecordingOptions } from './recording.js';

// Drift verdicts: the same streaming detectors as `watch`, `record --fail-on leak` and `report`.
export { createLeakDetector as leakDetector, createFragmentationTracker as fragmentationTracker } from '../drift/index.js';
export type {
  LeakDetector,
  LeakDetectorOptions,
  LeakResult,
  LeakVerdict,
  FragmentationTracker,
  FragmentationResult,
  FragmentationVerdict,
  TrendLine,
} from '../drift/types.js';

// Files: streaming scan and the `heapscope report` analysis (leak + fragmentation per heap column).
export { scanRecording, RecordingReadError, type RecordingHeader, type ScanSummary } from '../record/reader.js';
export type { RecordingMeta } from '../record/meta.js';
export { analyseRecording, type ReportOptions, type ReportData, type SignalReport } from '../report/analyse.js';

// Shapes a script meets.
export type { HeapReport } from '../heap/index.js';
export type { WalkResult } from '../heap/types.js';
export type { WatchValue } from '../watch/types.js';
export type { ProbeInfo } from '../probe/types.js';
export type { SessionEvent } from '../sample/types.js';
export type { ReconnectPolicy, SamplerStats } from '../sample/sampler.js';
export { PROBE_URL_FORMS } from '../probe/url.js';

// Errors: every failure is one of these classes (`err instanceof ProbeError`), with a message a user can act on.
export {
  HeapscopeError,
  UsageError,
  ElfFormatError,
  DwarfError,
  NoDebugInfoError,
  UnsupportedDwarfError,
  UnknownSymbolError,
  AmbiguousSymbolError,
  OptimizedOutError,
  ExpressionError,
  ProbeError,
  ProbeDisconnectedError,
  ProbeTimeoutError,
  TargetMemoryError,
  HaltingProbeError,
  RecordError,
} from '../errors.js';
export { ProbeUnreachableError, ProbeGaveUpError } from '../sample/sampler.js';
