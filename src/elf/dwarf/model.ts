// What the DWARF layer hands upward: variables and their types as plain, navigable objects.
// Types are resolved lazily by the reader (a getter may parse on first access), and may be cyclic
// (a struct holding a pointer to itself), so consumers must not deep-walk pointers blindly.

export type BaseEncoding =
  | 'signed'
  | 'unsigned'
  | 'signed-char'
  | 'unsigned-char'
  | 'float'
  | 'bool'
  | 'utf'
  | 'complex-float'
  | 'other';

export interface BaseType {
  kind: 'base';
  name: string;
  byteSize: number;
  encoding: BaseEncoding;
}
export interface VoidType {
  kind: 'void';
}
export interface TypedefType {
  kind: 'typedef';
  name: string;
  target: TypeInfo;
}
export interface QualifiedType {
  kind: 'qualified';
  qualifier: 'const' | 'volatile' | 'restrict' | 'atomic';
  target: TypeInfo;
}
export interface PointerType {
  kind: 'pointer';
  /** 'reference' for C++ & and &&. */
  flavor: 'pointer' | 'reference' | 'rvalue-reference';
  byteSize: number;
  target: TypeInfo;
}
export interface Member {
  /** null for an anonymous struct/union member. */
  name: string | null;
  type: TypeInfo;
  /** Byte offset of the member from the start of the aggregate. For bitfields: the byte that
   * holds the field's first bit in memory order (floor(dataBitOffset / 8)). */
  offset: number;
  /** Bitfields only: bit position counted from `offset` in the DW_AT_data_bit_offset sense
   * (little-endian: from the LSB of that byte; big-endian: from its MSB). */
  bitOffset?: number;
  bitSize?: number;
  /** C++ base class (DW_TAG_inheritance): name is null and its members are reachable as the derived
   * object's own (`obj.base_member`), as in gdb; a member of the derived class hides one of the base. */
  baseClass?: boolean;
}
export interface AggregateType {
  kind: 'struct' | 'union' | 'class';
  /** null for anonymous aggregates. */
  name: string | null;
  /** null for an incomplete (declaration-only) type. */
  byteSize: number | null;
  members: readonly Member[];
  declaration: boolean;
  /** True when the type comes from a C++ unit (gdb then omits the `struct`/`class` keyword). */
  cplusplus?: boolean;
}
export interface ArrayType {
  kind: 'array';
  element: TypeInfo;
  /** Element counts per dimension, outermost first; null for an unknown bound (flexible array). */
  dims: readonly (number | null)[];
  /** Total size in bytes, null when a dimension is unknown. */
  byteSize: number | null;
}
export interface Enumerator {
  name: string;
  value: bigint;
}
export interface EnumType {
  kind: 'enum';
  name: string | null;
  /** True when the type comes from a C++ unit (gdb then omits the `enum` keyword). */
  cplusplus?: boolean;
  byteSize: number;
  signed: boolean;
  enumerators: readonly Enumerator[];
}
export interface FunctionType {
  kind: 'function';
  /** Optional detail (added by the DWARF reader) so names read like gdb's `void (*)(int)`. */
  returnType?: TypeInfo;
  params?: readonly TypeInfo[];
  /** True for a trailing `...`. */
  variadic?: boolean;
  /** False for an unprototyped K&R declaration `int f()`. */
  prototyped?: boolean;
}
export interface UnknownType {
  kind: 'unknown';
  /** DWARF tag name, for messages. */
  tag: string;
  byteSize: number | null;
}

export type TypeInfo =
  | BaseType
  | VoidType
  | TypedefType
  | QualifiedType
  | PointerType
  | AggregateType
  | ArrayType
  | EnumType
  | FunctionType
  | UnknownType;

export type VariableScope = 'global' | 'file-static' | 'function-static';

export interface VariableInfo {
  /** As gdb names it: C++ names qualified by namespaces and classes (`app::Base::s_instances`,
   * `(anonymous namespace)::s_count`); function-statics unqualified (see functionName). */
  name: string;
  /** Mangled name when it differs (C++). */
  linkageName?: string;
  scope: VariableScope;
  /** Source file of the compilation unit (DW_AT_name of the CU), as the compiler recorded it. */
  file: string | null;
  /** Declaring file if it differs from the CU (a header), when known. */
  declFile?: string | null;
  declLine?: number;
  /** Enclosing function for function-statics; C++: qualified, without parameters (`app::tick`). */
  functionName?: string;
  /** null: optimized out (no static location). Never invented. */
  address: number | null;
  type: TypeInfo;
}
