// The error the `hcn` command raises for a wrong command line (exit code 2). It always names the
// argument that is wrong, so the message can say exactly what to fix.

/** A command-line argument is wrong; nothing was sent to HNS. */
export class UsageError extends Error {
  /** Stable code, as in the JSON error shape. */
  readonly code = 'HCN_USAGE';
  /**
   * @param argument The flag or positional argument at fault, e.g. `--port` or `ID`.
   * @param message What is wrong with it.
   * @param hint What to do instead (optional).
   */
  constructor(
    readonly argument: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An operation the command itself judged failed (exit code 1), e.g. a network name that matches nothing. */
export class CliOperationError extends Error {
  /**
   * @param code Stable code for the JSON shape, e.g. `ERROR_NOT_FOUND`.
   * @param operation What failed, e.g. `networks.findByName`.
   * @param message What happened.
   * @param hint What to do about it.
   */
  constructor(
    readonly code: string,
    readonly operation: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliOperationError';
  }
}
