// The package's main entry (`import { loadFirmware, connect } from 'heapscope'`): the scripting API.
// The CLI (bin/heapscope.js -> src/cli/main.ts) is a separate entry and is not loaded from here.
export * from './api/index.js';
