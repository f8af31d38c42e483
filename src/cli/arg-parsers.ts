// Option value parsers shared by the commands: commander turns InvalidArgumentError into
// "error: option '--rate <hz>' argument 'x' is invalid. must be a number > 0" and exit 2.
import { InvalidArgumentError } from 'commander';

export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
}

export function tcpPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port 0..65535');
  return n;
}
