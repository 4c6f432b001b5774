// What the CLI prints and how it ends (docs/cli.md): JSON on standard output; a failure
// is one line on standard error and exit 1 (the server or the store refused or failed) or exit 2
// (the command line or the configuration is wrong).
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class CliFailure extends Error {
  constructor(
    readonly exitCode: typeof EXIT_FAILED | typeof EXIT_USAGE,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliFailure(EXIT_USAGE, message);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Server messages may hold line breaks; a failure must stay one line. */
export const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');
