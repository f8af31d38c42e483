// The only way heapscope builds text for OpenOCD's TCL port. heapscope must never write memory or
// change the target's run state, so every command goes through an allow-list enforced here, and
// each argument is a plain word (no brackets, braces, `$`, `;` or spaces) so nothing can be smuggled
// inside one. Each call is wrapped in `catch` so the reply tells an error from a value: OpenOCD's
// TCL replies carry no error flag of their own.
import { ProbeError } from '../errors.js';

/** Commands heapscope may send, with the sub-commands allowed after them (null: any plain arguments). */
const ALLOWED: ReadonlyMap<string, ReadonlySet<string> | null> = new Map([
  ['version', null],
  ['read_memory', null], // OpenOCD >= 0.12: read only
  ['mem2array', null], // OpenOCD < 0.12 fallback: reads target memory into a TCL array
  ['target', new Set(['current', 'names'])],
  ['info', new Set(['commands'])],
  ['array', new Set(['get', 'unset'])], // TCL variables only, never the target
]);

/** Methods a target object (`$t ...`) may be asked: reads and state queries, never halt/resume/reset. */
const TARGET_METHODS: ReadonlySet<string> = new Set(['read_memory', 'mem2array', 'curstate', 'was_examined', 'cget']);

/** DAP object methods: `dpreg REG` reads a DP register (with a second argument it would write: refused). */
const DAP_METHODS: ReadonlySet<string> = new Set(['dpreg']);

/** `cget` options that only read configuration. */
const CGET_OPTIONS: ReadonlySet<string> = new Set(['-type', '-endian', '-dap', '-chain-position']);

const PLAIN_WORD = /^[A-Za-z0-9_.:\-]+$/;

/** One command with its arguments, each a plain word. */
export type TclCall = readonly string[];

/** A script built by buildScript: the only type the connection accepts. */
export type AllowedScript = string & { readonly __allowedScript: unique symbol };

export function isPlainWord(w: string): boolean {
  return PLAIN_WORD.test(w);
}

/** Object names OpenOCD reported (`target names`, `$t cget -dap`): the only ones methods may be called on. */
export interface KnownObjects {
  targets: ReadonlySet<string>;
  daps?: ReadonlySet<string>;
}

/** Throws unless `call` is an allowed read-only command on an object OpenOCD reported. */
export function assertAllowedCall(call: TclCall, known: KnownObjects): void {
  const [cmd, sub] = call;
  const refuse = (why: string): never => {
    throw new ProbeError(`refusing to send '${call.join(' ')}' to OpenOCD: ${why}`);
  };
  if (!cmd) refuse('empty command');
  for (const w of call) if (!isPlainWord(w)) refuse(`'${w}' is not a plain word`);
  const subs = ALLOWED.get(cmd!);
  if (subs !== undefined) {
    if (subs !== null && (sub === undefined || !subs.has(sub))) refuse('sub-command not allowed');
    return;
  }
  if (known.targets.has(cmd!)) {
    if (sub === undefined || !TARGET_METHODS.has(sub)) refuse('target method not allowed');
    if (sub === 'cget' && !CGET_OPTIONS.has(call[2] ?? '')) refuse('cget option not allowed');
    return;
  }
  if (known.daps?.has(cmd!)) {
    if (sub === undefined || !DAP_METHODS.has(sub) || call.length !== 3) refuse('only a one-argument dpreg read is allowed');
    return;
  }
  refuse('not on heapscope\'s read-only allow-list');
}

const RESULT_VAR = '__heapscope_r';
const VALUE_VAR = '__heapscope_v';

/**
 * One script that runs each group of calls under `catch` and returns a flat TCL list
 * `code0 value0 code1 value1 ...` (code 0 = ok; 1, or an OpenOCD error number such as -4, = error). Calls in one group run in sequence
 * inside the same catch; the group's value is the last call's result.
 */
export function buildScript(groups: readonly (readonly TclCall[])[], known: KnownObjects): AllowedScript {
  const parts = [`set ${RESULT_VAR} {}`];
  for (const group of groups) {
    for (const call of group) assertAllowedCall(call, known);
    const body = group.map((c) => c.join(' ')).join('; ');
    parts.push(`lappend ${RESULT_VAR} [catch {${body}} ${VALUE_VAR}] $${VALUE_VAR}`);
  }
  parts.push(`set ${RESULT_VAR}`);
  return parts.join('; ') as AllowedScript;
}
