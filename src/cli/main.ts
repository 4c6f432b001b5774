// `openom <command>`: bin/openom.mjs runs the bundle of this file (dist/cli.mjs, scripts/bundle-cli.mjs).
import { authorization, send, serverUrl, type Env } from './api.js';
import type { ApiCommand, Input } from './commandTypes.js';
import { commandsUnder, findCommand } from './commands.js';
import { commandHelp, overview } from './help.js';
import { parseInput, wantsHelp } from './input.js';
import { CliFailure, EXIT_FAILED, EXIT_USAGE, oneLine, printJson, usageError } from './output.js';
import { OPENOM_VERSION } from '../version.js';

async function runCli(argv: string[], env: Env): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    process.stderr.write(overview());
    return EXIT_USAGE;
  }
  if (first === '--version') return printText(`openom ${OPENOM_VERSION}\n`);
  if (first === '--help' || first === '-h') return printText(overview());
  if (first === 'help') return printText(helpText(argv.slice(1)));
  const found = findCommand(argv);
  if (!found) {
    if (wantsHelp(argv)) return printText(helpText(argv.slice(0, 1)));
    const group = commandsUnder(first);
    throw usageError(
      group.length > 0
        ? `"${first}" needs one of: ${group.map((c) => c.name).join(', ')} (see \`openom ${first} --help\`)`
        : `unknown command "${first}" (see \`openom help\`)`,
    );
  }
  const { command, words } = found;
  const rest = argv.slice(words);
  if (wantsHelp(rest)) return printText(commandHelp(command));
  let input: Input;
  try {
    input = parseInput(command, rest, env);
  } catch (err) {
    if (err instanceof CliFailure) throw usageError(`${command.name}: ${err.message} (see \`openom ${command.name} --help\`)`);
    throw err;
  }
  return command.access === 'local' ? command.run(input) : callServer(command, input);
}

/** Help for `openom help [words]`: a command, a group of commands, or all of them. */
function helpText(words: string[]): string {
  if (words.length === 0) return overview();
  const found = findCommand(words);
  if (found) return commandHelp(found.command);
  const group = commandsUnder(words[0]!);
  if (group.length > 0) return overview(group);
  throw usageError(`unknown command "${words.join(' ')}" (see \`openom help\`)`);
}

async function callServer(command: ApiCommand, input: Input): Promise<number> {
  // The input is checked in full (a file that cannot be read, say) before the configuration.
  const body = await command.body?.(input);
  const base = serverUrl(input.options.url, input.env);
  const auth = authorization(command.access, input.env);
  const query = new URLSearchParams(Object.entries(command.query?.(input) ?? {}).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  const path = command.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.args[name] ?? input.options[name] ?? '')) + (query ? `?${query}` : '');
  const answer = await send(base, auth, { method: command.method, path, body, idempotencyKey: input.options['idempotency-key'] });
  if (typeof answer === 'string') return printText(answer);
  printJson(answer);
  return 0;
}

function printText(text: string): number {
  process.stdout.write(text);
  return 0;
}

// `openom … | head` may close the pipe before the output is written: the command itself was done.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

// Exit through process.exitCode, so that output piped to another program is flushed first.
runCli(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const known = err instanceof CliFailure;
    process.stderr.write(`openom: ${known ? err.message : `unexpected error: ${oneLine(String((err as Error).message ?? err))}`}\n`);
    process.exitCode = known ? err.exitCode : EXIT_FAILED;
  },
);
