// `--config soak.yaml` (or .json): the record settings as a file. YAML (a superset of JSON) parsed by
// `yaml`, validated by a strict zod schema so that a typo is an error that names the key, not a
// silently ignored setting. Keys may be written camelCase or kebab-case (`targetClock`, `target-clock`).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';

const rateSchema = z.number().positive().max(100_000);
const durationSchema = z.union([z.string(), z.number().nonnegative()]);

const watchSchema = z.union([
  z.string().min(1),
  z.strictObject({
    expr: z.string().min(1),
    rate: rateSchema.optional(),
    label: z.string().optional(),
    role: z.enum(['used', 'free', 'largest', 'capacity', 'minfree']).optional(),
  }),
]);

export const configSchema = z.strictObject({
  elf: z.string().min(1).optional(),
  probe: z.string().min(1).optional(),
  rate: rateSchema.optional(),
  duration: durationSchema.optional(),
  out: z.string().min(1).optional(),
  format: z.enum(['csv', 'jsonl']).optional(),
  rotate: z.union([z.string(), z.number().positive()]).optional(),
  quiet: z.boolean().optional(),
  json: z.boolean().optional(),
  raw: z.boolean().optional(),
  overwrite: z.boolean().optional(),
  targetClock: z.string().min(1).optional(),
  tickHz: z.number().positive().optional(),
  driftWindow: z.number().positive().optional(),
  allocator: z.string().min(1).optional(),
  walkHz: z.number().nonnegative().max(1000).optional(),
  metrics: z.union([z.string(), z.number().int().min(0).max(65535)]).optional(),
  failOn: z.union([z.enum(['leak']), z.array(z.enum(['leak']))]).optional(),
  giveUpAfter: durationSchema.optional(),
  watches: z.array(watchSchema).optional(),
});

export type RecordConfig = z.infer<typeof configSchema>;
export type ConfigWatch = z.infer<typeof watchSchema>;

const camel = (k: string): string => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Top-level kebab-case keys become camelCase; the map remembers how the user spelled each one. */
function normalizeKeys(obj: Record<string, unknown>): { value: Record<string, unknown>; spelled: Map<string, string> } {
  const value: Record<string, unknown> = {};
  const spelled = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const c = camel(k);
    value[c] = v;
    spelled.set(c, k);
  }
  return { value, spelled };
}

/** Validates an already-parsed config object; `source` names it in messages. */
export function validateConfig(raw: unknown, source: string): RecordConfig {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${source}: expected a mapping of settings (elf, probe, watches, ...) at the top level`);
  }
  const { value, spelled } = normalizeKeys(raw as Record<string, unknown>);
  const r = configSchema.safeParse(value);
  if (r.success) return r.data;
  const unknown: string[] = [];
  const problems: string[] = [];
  for (const issue of r.error.issues) {
    const where = issue.path.map((p, i) => (i === 0 ? (spelled.get(String(p)) ?? String(p)) : `[${String(p)}]`)).join('');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (issue.path.length === 0 ? (spelled.get(k) ?? k) : k));
      unknown.push(...keys.map((k) => (where ? `${where}.${k}` : k)));
    } else {
      problems.push(`${where || '(top level)'}: ${issue.message}`);
    }
  }
  const parts: string[] = [];
  // Top-level keys first: they are the likelier typos and read best first.
  unknown.sort((a, b) => Number(/[.[]/.test(a)) - Number(/[.[]/.test(b)));
  if (unknown.length) {
    parts.push(
      `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} ` +
        `(known: ${Object.keys(configSchema.shape).join(', ')}; a watch entry takes expr, rate, label, role)`,
    );
  }
  parts.push(...problems);
  throw new UsageError(`${source}: ${parts.join('; ')}`);
}

export function loadConfig(path: string): RecordConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read config ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateConfig(parsed, path);
}
