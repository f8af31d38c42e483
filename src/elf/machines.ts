// e_machine values heapscope is likely to meet, named the way readelf names them (short form).
const MACHINES: Record<number, string> = {
  0: 'none',
  2: 'SPARC',
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'ARM',
  42: 'SuperH',
  50: 'IA-64',
  62: 'x86-64',
  83: 'AVR',
  94: 'Xtensa',
  105: 'MSP430',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

export function machineNameOf(machine: number): string {
  return MACHINES[machine] ?? `machine ${machine}`;
}
