// The shapes of an `openom` command (commands.ts holds the table of them, devloop.ts the developer
// loop's): apart so that the files defining and running commands need not import the table.
import type { Access, Env } from './api.js';

export interface OptionSpec {
  /** Placeholder of the option's value in help, e.g. `N` for `--amount N`. */
  value: string;
  help: string;
  required?: boolean;
  /** Digits only: `12.50` or `1e3` is a usage error, never rounded. */
  integer?: boolean;
  /** A switch without a value (`--json`): its value is "true" when given. */
  flag?: boolean;
}

export interface Input {
  /** Positional arguments by name (ORDER_ID). */
  args: Record<string, string>;
  options: Record<string, string | undefined>;
  env: Env;
}

interface CommandBase {
  /** The words after `openom`, e.g. `merchants create`. */
  name: string;
  summary: string;
  args?: readonly string[];
  options?: Readonly<Record<string, OptionSpec>>;
  output: string;
  example: string;
}

export interface ApiCommand extends CommandBase {
  access: Access;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `{NAME}` is filled from the argument or option of that name. */
  path: string;
  /** Query parameters from the options; those without a value are left out. */
  query?: (input: Input) => Record<string, string | undefined>;
  body?: (input: Input) => unknown;
}

export interface LocalCommand extends CommandBase {
  access: 'local';
  env: readonly string[];
  run: (input: Input) => Promise<number>;
}

export type Command = ApiCommand | LocalCommand;
