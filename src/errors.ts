// Errors a user can meet. Each carries a message that says what to do next; the CLI prints the
// message (never the stack) and exits with `exitCode`. Layer-specific subclasses live here so that
// every layer and the CLI agree on one vocabulary.

export class HeapscopeError extends Error {
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong flags or arguments on the command line or in a config file. */
export class UsageError extends HeapscopeError {
  override readonly exitCode = 2;
}

/** The file is not an ELF we can read: truncated, foreign, corrupt. */
export class ElfFormatError extends HeapscopeError {}

/** Debug information is missing, corrupt or uses something we do not support. */
export class DwarfError extends HeapscopeError {}

export class NoDebugInfoError extends DwarfError {}

export class UnsupportedDwarfError extends DwarfError {}

/** A name that is not in the ELF; `suggestions` are close matches for the message. */
export class UnknownSymbolError extends HeapscopeError {
  constructor(
    readonly symbol: string,
    readonly suggestions: readonly string[] = [],
    detail?: string,
  ) {
    super(
      `unknown symbol '${symbol}'` +
        (detail ? `: ${detail}` : '') +
        (suggestions.length ? ` (did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?)` : ''),
    );
  }
}

/** A file-static or function-static name that exists in several places. */
export class AmbiguousSymbolError extends HeapscopeError {
  constructor(
    readonly symbol: string,
    readonly candidates: readonly string[],
  ) {
    super(
      `'${symbol}' is ambiguous: it exists in ${candidates.join(', ')}; ` +
        `qualify it, e.g. '${candidates[0]}'`,
    );
  }
}

/** The variable exists but the compiler kept no address for it. */
export class OptimizedOutError extends HeapscopeError {}

/** A watch expression that cannot be parsed or does not fit the type it names. */
export class ExpressionError extends HeapscopeError {}

/** Anything that goes wrong talking to a probe / debug server. */
export class ProbeError extends HeapscopeError {}

/** Could not connect, or the connection was lost: the sampler may reconnect. */
export class ProbeDisconnectedError extends ProbeError {}

/** The server did not answer in time. */
export class ProbeTimeoutError extends ProbeError {}

/** The target faulted on an address (GDB `E NN`, OpenOCD read error). */
export class TargetMemoryError extends ProbeError {
  constructor(
    message: string,
    readonly address: number,
    readonly length: number,
  ) {
    super(message);
  }
}

/** The server halts the core to read memory and the user did not allow it. */
export class HaltingProbeError extends ProbeError {}

/** Writing a recording failed (disk full, permission, ...). Samples already read are kept. */
export class RecordError extends HeapscopeError {}
