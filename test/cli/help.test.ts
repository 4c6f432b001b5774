// `--help` on every command of CONTRACT §9, `openom help` and `--version`: they need no server and no
// configuration, exit 0, and name each flag the command takes. The table below is the contract's
// list, written out here rather than read from src/cli, so that a command or flag that goes missing fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/process.js';
import { buildCli, failureLine, type Cli } from './run.js';

const IDEMPOTENT = ['--idempotency-key'];
const AMOUNTS = ['--amount', '--description', '--reference', ...IDEMPOTENT];
/** command → the flags its help must name (besides --help, and --url for the server's commands). */
const COMMANDS: Record<string, { flags: string[]; talksToServer: boolean }> = {
  start: { flags: [], talksToServer: false },
  'merchants create': { flags: ['--name'], talksToServer: true },
  'merchants list': { flags: [], talksToServer: true },
  'merchants rotate-credentials': { flags: ['--merchant'], talksToServer: true },
  'orders create': { flags: ['--merchant', '--file'], talksToServer: true },
  'orders get': { flags: [], talksToServer: true },
  capture: { flags: AMOUNTS, talksToServer: true },
  refund: { flags: AMOUNTS, talksToServer: true },
  cancel: { flags: IDEMPOTENT, talksToServer: true },
  release: { flags: IDEMPOTENT, talksToServer: true },
  clock: { flags: [], talksToServer: true },
  'clock advance': { flags: ['--seconds'], talksToServer: true },
  'ledger check': { flags: [], talksToServer: false },
  'payments create-session': { flags: ['--file'], talksToServer: true },
  'payments session': { flags: [], talksToServer: true },
  'payments authorize': { flags: ['--outcome'], talksToServer: true },
  'payments order': { flags: ['--file'], talksToServer: true },
  'payments cancel': { flags: [], talksToServer: true },
  'hpp create': { flags: ['--success', '--cancel', '--failure', '--status-update', '--place-order-mode'], talksToServer: true },
  'hpp get': { flags: [], talksToServer: true },
  'hpp disable': { flags: [], talksToServer: true },
  'tokens get': { flags: [], talksToServer: true },
  'tokens order': { flags: ['--file', ...IDEMPOTENT], talksToServer: true },
  'tokens cancel': { flags: IDEMPOTENT, talksToServer: true },
  'payouts list': { flags: [], talksToServer: true },
  'payouts get': { flags: [], talksToServer: true },
  'payouts csv': { flags: [], talksToServer: true },
  reset: { flags: [], talksToServer: true },
  'snapshot save': { flags: [], talksToServer: true },
  'snapshot load': { flags: [], talksToServer: true },
  'snapshot export': { flags: [], talksToServer: true },
  'snapshot import': { flags: [], talksToServer: true },
  'fixtures load': { flags: [], talksToServer: true },
  calls: { flags: ['--order', '--kind', '--limit'], talksToServer: true },
  listen: { flags: ['--json', '--forward-to', '--for'], talksToServer: true },
  trigger: { flags: ['--decision'], talksToServer: true },
  logs: { flags: ['--file'], talksToServer: false },
  'checkout create': { flags: ['--file'], talksToServer: true },
  'checkout get': { flags: [], talksToServer: true },
  'checkout complete': { flags: ['--outcome', '--email'], talksToServer: true },
  'webhooks create': { flags: ['--endpoint-url', '--events'], talksToServer: true },
  'webhooks list': { flags: [], talksToServer: true },
  'webhooks delete': { flags: [], talksToServer: true },
  'webhooks deliveries': { flags: [], talksToServer: true },
  'faults create': { flags: ['--method', '--path', '--status', '--error-code', '--delay-ms', '--times'], talksToServer: true },
  'faults list': { flags: [], talksToServer: true },
  'faults delete': { flags: [], talksToServer: true },
  'fraud decide': { flags: ['--decision'], talksToServer: true },
  push: { flags: [], talksToServer: true },
};

describe('openom help', () => {
  let cli: Cli;
  before(async () => {
    cli = await buildCli();
  });
  after(() => cli?.remove());

  it('--help and -h on every command exit 0 and show its usage and every flag, without any configuration', async () => {
    for (const [name, { flags, talksToServer }] of Object.entries(COMMANDS)) {
      const words = name.split(' ');
      const long = await cli.run([...words, '--help']);
      assert.equal(long.code, 0, `${name} --help: ${long.stderr}`);
      assert.equal(long.stderr, '');
      assert.ok(long.stdout.startsWith(`Usage: openom ${name}`), `${name} --help:\n${long.stdout}`);
      for (const flag of [...flags, '--help', ...(talksToServer ? ['--url'] : [])]) {
        assert.ok(long.stdout.includes(flag), `${name} --help does not mention ${flag}:\n${long.stdout}`);
      }
      assert.equal((await cli.run([...words, '-h'])).stdout, long.stdout, `${name} -h`);
      assert.equal((await cli.run(['help', ...words])).stdout, long.stdout, `help ${name}`);
      // Help wins over anything else on the line, even arguments that would be refused.
      assert.equal((await cli.run([...words, 'whatever', '--no-such-flag', '--help'])).stdout, long.stdout, `${name} … --help`);
    }
  });

  it('openom help, --help and -h list every command; openom alone prints it on stderr and exits 2', async () => {
    const help = await cli.run(['help']);
    assert.equal(help.code, 0);
    for (const name of Object.keys(COMMANDS)) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'), `help does not list ${name}`);
    assert.equal((await cli.run(['--help'])).stdout, help.stdout);
    assert.equal((await cli.run(['-h'])).stdout, help.stdout);
    const bare = await cli.run([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '');
    assert.equal(bare.stderr, help.stdout);
  });

  it('a group word with --help lists its commands; without, it is a usage error', async () => {
    const orders = await cli.run(['orders', '--help']);
    assert.equal(orders.code, 0);
    assert.match(orders.stdout, /^ {2}orders create /m);
    assert.match(orders.stdout, /^ {2}orders get /m);
    assert.doesNotMatch(orders.stdout, /^ {2}capture /m);
    const bare = await cli.run(['merchants']);
    assert.equal(bare.code, 2);
    assert.match(failureLine(bare), /^openom: "merchants" needs one of: merchants create, merchants list/);
    const unknown = await cli.run(['help', 'nothing']);
    assert.equal(unknown.code, 2);
    assert.match(failureLine(unknown), /^openom: unknown command "nothing"/);
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await cli.run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `openom ${version}\n`);
  });
});
