// The command registry: one module per command, each exporting `register(program)`.
// Add a command by adding one line here.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const commandModules: Array<() => Promise<{ register: Register }>> = [
];
