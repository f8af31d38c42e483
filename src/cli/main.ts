// heapscope's command line: wires the layers together. The only place that reads flags and env.
import { Command } from 'commander';
import { commandModules } from './commands.js';
import { reportFailure } from './output.js';
import { heapscopeVersion } from './version.js';

// `heapscope symbols fw.elf | head`: the reader went away; that is the user's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('heapscope')
    .description(
      'Watch heap counters and globals of running firmware by name, without halting the core.',
    )
    .version(heapscopeVersion())
    .showSuggestionAfterError(true)
    .exitOverride();
  const wanted = argv[2];
  const loaders = wanted !== undefined && wanted in commandModules ? [commandModules[wanted]!] : Object.values(commandModules);
  for (const load of loaders) (await load()).register(program);
  await program.parseAsync(argv);
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { code?: string; exitCode?: number };
    if (e?.code === 'commander.helpDisplayed' || e?.code === 'commander.version') {
      process.exitCode = 0;
      return;
    }
    if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode ?? 2;
      return;
    }
    process.exitCode = reportFailure(err);
  },
);
