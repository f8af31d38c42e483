// The record layer's error: a RecordError (src/errors.ts) with the exit code `record` documents for
// output problems (5: disk full, permission, missing directory).
import { RecordError } from '../errors.js';

export class OutputError extends RecordError {
  override readonly exitCode: number = 5;
}
