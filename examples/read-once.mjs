// Read a few globals once and print them as JSON: the `heapscope read --json` of a script.
//   node examples/read-once.mjs [fw.elf] [probe-url]
// Defaults: the bundled leaking demo firmware in the built-in emulator (`sim:`).
import { fileURLToPath } from 'node:url';
import { connect, loadFirmware, HeapscopeError } from '../dist/src/index.js';

const elf = process.argv[2] || fileURLToPath(new URL('../firmware/prebuilt/heapdemo-m0plus-leak.elf', import.meta.url));
const url = process.argv[3] || 'sim:';

try {
  const fw = await loadFirmware(elf);
  console.error(`g_heap.largest_free is at 0x${fw.resolve('g_heap.largest_free').address.toString(16)}`);
  const target = await connect(fw, url);
  try {
    const values = await target.read(['g_magic', 'g_heap.used', 'g_heap.free', 'g_heap.capacity']);
    const heap = await target.heap(); // allocator detected from the ELF, free list walked without halting
    const out = { probe: target.description, values, largestFree: heap.largestFree ?? null, fragmentation: heap.fragmentation ?? null };
    // 64-bit globals come back as bigint: JSON needs them as strings.
    console.log(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  } finally {
    await target.close();
  }
} catch (err) {
  // Every failure a user can fix is a HeapscopeError with a message that says what to do.
  if (!(err instanceof HeapscopeError)) throw err;
  console.error(`error: ${err.message}`);
  process.exitCode = err.exitCode;
}
