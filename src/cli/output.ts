// How the CLI ends: user mistakes print one actionable line and a non-zero exit; bugs print a stack.
import { HeapscopeError } from '../errors.js';

export function reportFailure(err: unknown): number {
  if (err instanceof HeapscopeError) {
    process.stderr.write(`heapscope: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as { code?: string; message?: string; stack?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('commander.')) return 2;
  process.stderr.write(`heapscope: internal error (please report it): ${e?.stack ?? String(err)}\n`);
  return 70;
}

export function writeJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
  );
}
