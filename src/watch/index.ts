// The watch layer: expression -> address, size, type and decoder.
export { parseWatchExpression, formatWatchExpression } from './expression.js';
export type { WatchExpr } from './expression.js';
export { resolveWatch, fileMatches, qualifiedName } from './resolve.js';
export type { WatchDebugInfo, WatchElf } from './resolve.js';
export { resolveRawWatch, rawDataSymbols } from './raw.js';
export type { RawSymbol } from './raw.js';
export { MAX_COLUMNS } from './columns.js';
export type { Watch, WatchColumn, WatchValue, PointerHop } from './types.js';
