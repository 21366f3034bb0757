// The command line's exit codes and the one error type that carries them. Every
// command throws CliError (or lets one from the GraphQL client through); main.ts
// prints its message on stderr and exits with its code.

export const EXIT = {
  OK: 0,
  /** Denied, not found, conflict, a failed check (`can` denied, a broken audit chain). */
  DENIED: 1,
  /** A command line the program does not understand, or input the server refused as invalid. */
  USAGE: 2,
  /** No credential, or one the server does not accept. */
  AUTH: 3,
  /** The server could not be reached or did not answer as a portcullis server. */
  UNREACHABLE: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.USAGE);
