// The drift layer's public surface: streaming leak and fragmentation verdicts.
export { createLeakDetector, DETECTOR_TUNING, fmtBytes, fmtH, fmtRange } from './detector.js';
export { createFragmentationTracker } from './fragmentation.js';
export type * from './types.js';
