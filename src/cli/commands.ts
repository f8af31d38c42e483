// The command registry: one module per command, each exporting `register(program)`.
// Add a command by adding one line here. Only the module of the command being run is loaded
// (the others are loaded for --help), which keeps start-up short: a CI soak job or a script calling
// `heapscope read` many times should not pay for the dashboard, vega and the DWARF reader.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const commandModules: Record<string, () => Promise<{ register: Register }>> = {
  demo: () => import('./demo.js'),
  watch: () => import('./watch.js'),
  read: () => import('./read.js'),
  record: () => import('./record.js'),
  report: () => import('./report.js'),
  probe: () => import('./probe.js'),
  heap: () => import('./heap.js'),
  symbols: () => import('./symbols.js'),
  resolve: () => import('./resolve.js'),
};
