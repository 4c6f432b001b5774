// Command line → a command's input (node:util parseArgs), and JSON read from a file or stdin.
// Everything wrong here is a usage error (exit 2), found before anything is sent.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_URL, type Env } from './api.js';
import type { Command, Input } from './commandTypes.js';
import { usageError } from './output.js';

export interface OptionHelp {
  value?: string;
  help: string;
  required?: boolean;
}

/** Options every command takes besides its own (`--help` is the only one without a value). */
export function commonOptions(command: Command): Record<string, OptionHelp> {
  const common: Record<string, OptionHelp> = {};
  if (command.access !== 'local') common.url = { value: 'URL', help: `server address (default: OPENOM_URL, else ${DEFAULT_URL})` };
  common.help = { help: 'show this help' };
  return common;
}

export const wantsHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');

export function parseInput(command: Command, argv: string[], env: Env): Input {
  const specs = command.options ?? {};
  const options = Object.fromEntries(
    [...Object.keys(specs), ...Object.keys(commonOptions(command))].map((name) => [name, { type: name === 'help' || specs[name]?.flag ? ('boolean' as const) : ('string' as const) }]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages run on with advice about `--`; the first sentence names the problem.
    throw usageError((err as Error).message.split(/\n|\. To specify/)[0]!);
  }
  const names = command.args ?? [];
  if (parsed.positionals.length < names.length) throw usageError(`missing ${names[parsed.positionals.length]}`);
  if (parsed.positionals.length > names.length) throw usageError(`unexpected argument "${parsed.positionals[names.length]}"`);
  const values = Object.fromEntries(Object.entries(parsed.values).map(([name, value]) => [name, value === true ? 'true' : value === false ? undefined : value])) as Record<string, string | undefined>;
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (value === undefined) {
      if (spec.required) throw usageError(`missing --${name} ${spec.value}`);
    } else if (spec.integer && !(/^\d+$/.test(value) && Number.isSafeInteger(Number(value)))) {
      throw usageError(`--${name} must be a whole number, got "${value}"`);
    }
  }
  return { args: Object.fromEntries(names.map((name, i) => [name, parsed.positionals[i]!])), options: values, env };
}

/** `-` is standard input. */
export async function readJsonInput(file: string): Promise<unknown> {
  const label = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${label}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw usageError(`${label} is not valid JSON: ${(err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
