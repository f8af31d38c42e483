// A resolved watch expression: where to read, how many bytes, and how to turn them into a value.
import type { TypeInfo } from '../elf/dwarf/model.js';

export type WatchValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | WatchValue[]
  | { [key: string]: WatchValue };

/** One pointer hop of a dereferencing watch (`*p`, `p->x`, `a.p->b`). */
export interface PointerHop {
  /** Bytes of the pointer to read (4 on Cortex-M). */
  pointerSize: number;
  /** Added to the pointer's value to get the next address (member offset after `->`). */
  offset: number;
}

/** A scalar leaf of a watch: one CSV column, one chart signal. */
export interface WatchColumn {
  /** Full expression of the leaf, e.g. "g_stats.used" or "arr[2]". */
  name: string;
  /** Decodes this leaf from the bytes of the whole watch. */
  decode(bytes: Uint8Array): number | bigint | string | boolean | null;
  /** Width in bits of a scalar leaf (8 x its byte size; a bitfield's width): where a counter wraps. */
  bits?: number;
}

export interface Watch {
  /** The expression as the user wrote it. */
  readonly expr: string;
  /** Address of the value; for a dereferencing watch, the address of the first pointer. */
  readonly address: number;
  /** Pointer hops to follow before reading `byteSize` bytes (empty for a static watch). */
  readonly hops: readonly PointerHop[];
  readonly byteSize: number;
  readonly type: TypeInfo;
  /** The type as gdb's `whatis` writes it, e.g. "volatile uint32_t". */
  readonly typeName: string;
  /** Bitfields: bit position within the bytes at `address` (DW_AT_data_bit_offset sense) and width. */
  readonly bitOffset?: number;
  readonly bitSize?: number;
  readonly littleEndian: boolean;
  /** Bytes (exactly byteSize of them) to value: numbers, bigint for 64-bit, enum names, strings, objects. */
  decode(bytes: Uint8Array): WatchValue;
  /** Scalar leaves in declaration order (a scalar watch has one column named `expr`). */
  columns(): readonly WatchColumn[];
}
