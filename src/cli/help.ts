// Help text, derived from the command table so that it cannot drift from what the commands accept.
import { DEFAULT_URL, type Access } from './api.js';
import type { Command } from './commandTypes.js';
import { COMMANDS } from './commands.js';
import { commonOptions } from './input.js';
import { OPENOM_VERSION } from '../version.js';

const SERVER_ENV: Record<Access, readonly string[]> = {
  admin: ['OPENOM_URL', 'OPENOM_ADMIN_TOKEN'],
  merchant: ['OPENOM_URL', 'OPENOM_USERNAME', 'OPENOM_PASSWORD'],
};

const envOf = (c: Command) => (c.access === 'local' ? c.env : SERVER_ENV[c.access]);

function usageLine(c: Command): string {
  const options = Object.entries(c.options ?? {});
  const required = options.filter(([, spec]) => spec.required).map(([name, spec]) => `--${name} ${spec.value}`);
  const optional = options.some(([, spec]) => !spec.required) ? ['[options]'] : [];
  return ['openom', c.name, ...(c.args ?? []), ...required, ...optional].join(' ');
}

export function commandHelp(c: Command): string {
  const options = Object.entries({ ...c.options, ...commonOptions(c) }).map(([name, spec]) => {
    const flag = `${name === 'help' ? '-h, ' : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return `  ${flag.padEnd(24)} ${spec.help}${spec.required ? ' (required)' : ''}`;
  });
  const lines = [`Usage: ${usageLine(c)}`, '', `${c.summary}.`];
  if (c.access !== 'local') lines.push(`${c.method} ${c.path}, with the ${c.access === 'admin' ? 'admin token' : "merchant's credentials"}.`);
  lines.push('', 'Options:', ...options, '', `Environment: ${envOf(c).join(', ')}`, `Output: ${c.output}`, '', 'Example:', `  ${c.example}`);
  return `${lines.join('\n')}\n`;
}

const SECTIONS: [string, (c: Command) => boolean][] = [
  ['Server and store', (c) => c.access === 'local'],
  ['Admin (OPENOM_ADMIN_TOKEN)', (c) => c.access === 'admin'],
  ['Merchant (OPENOM_USERNAME, OPENOM_PASSWORD)', (c) => c.access === 'merchant'],
];

/** `openom help`, or the help of a group of commands (`openom orders --help`). */
export function overview(commands: readonly Command[] = COMMANDS): string {
  const lines = [`openom ${OPENOM_VERSION}: the OpenOM command line`, '', 'Usage: openom <command> [options]'];
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const [title, belongs] of SECTIONS) {
    const inSection = commands.filter(belongs);
    if (inSection.length > 0) lines.push('', `${title}:`, ...inSection.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`));
  }
  lines.push(
    '',
    'Run `openom <command> --help` for its options, `openom --version` for the version.',
    `Commands other than start and ledger check talk to the server at OPENOM_URL (default ${DEFAULT_URL}).`,
    'Output is JSON on standard output. A failure is one line on standard error and exit 1 (refused',
    'or failed) or 2 (wrong usage or missing configuration).',
  );
  return `${lines.join('\n')}\n`;
}
