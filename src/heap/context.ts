// Builds the HeapContext the profiles share: ELF, DWARF and a by-name symbol index.
import type { DebugInfo } from '../elf/dwarf/index.js';
import type { ElfFile, ElfSymbol } from '../elf/elf.js';
import type { HeapContext } from './types.js';

export function heapContext(elf: ElfFile, debug: DebugInfo): HeapContext {
  const symbols = new Map<string, ElfSymbol>();
  for (const s of elf.symbols()) {
    if (s.name && s.sectionIndex !== 0 && !symbols.has(s.name)) symbols.set(s.name, s);
  }
  return { elf, debug, symbols };
}
