// Expressions to watches for the commands: DWARF when available, the symbol table with --raw.
import type { ElfFile } from '../elf/elf.js';
import { resolveRawWatch, resolveWatch } from '../watch/index.js';
import type { Watch } from '../watch/types.js';

export async function resolveWatches(elf: ElfFile, exprs: readonly string[], raw: boolean): Promise<Watch[]> {
  if (raw) return exprs.map((e) => resolveRawWatch(elf, e));
  // Loaded on demand so that `--raw` works without touching the DWARF reader.
  const { loadDebugInfo } = await import('../elf/dwarf/index.js');
  const debug = loadDebugInfo(elf);
  return exprs.map((e) => resolveWatch(debug, elf, e));
}
