// The `hcn` command's exit codes (documented in docs/cli.md; scripts depend on them).

/** Exit codes of the `hcn` command. */
export const ExitCode = {
  /** Everything asked for was done. */
  Ok: 0,
  /** An HNS or SDK operation failed (the error names the operation and its code). */
  OperationFailed: 1,
  /** The command line is wrong: unknown command or flag, bad IP, port, protocol or ID. Nothing was changed. */
  Usage: 2,
  /** `hcn verify ...` ran and found a problem (for example a load balancer without DSR). */
  VerificationFailed: 3,
  /** The backend is not available here: no HCN on this host, or the native addon cannot be loaded. */
  NotAvailable: 4,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
