// `watch` / `record` with no expressions: the counters of the heap allocator detected in the ELF.
import { resolve } from 'node:path';
import { openElf } from '../elf/elf.js';
import { loadDebugInfo } from '../elf/dwarf/index.js';
import { UsageError } from '../errors.js';
import { heapWatchExpressions, notDetectedMessage } from '../heap/index.js';
import type { HeapRoles } from '../tui/live-source.js';

export async function heapCounters(
  elfPath: string,
  allocator?: string,
): Promise<{ exprs: string[]; roles: Partial<HeapRoles>; allocator: string }> {
  const elf = openElf(resolve(elfPath));
  const found = heapWatchExpressions(loadDebugInfo(elf), elf, allocator);
  if (!found) throw new UsageError(notDetectedMessage(elfPath));
  if (found.exprs.length === 0)
    throw new UsageError(
      `the ${found.allocator} allocator keeps no counters in RAM to sample; its free lists are walked by ` +
        `\`heapscope heap ${elfPath} --watch\`, or name expressions to watch`,
    );
  return { exprs: found.exprs, roles: found.roles, allocator: found.allocator };
}
