// A PostgreSQL primary and a streaming standby of it (pg_basebackup -R), each a throwaway cluster in
// a temporary directory on free ports, for measuring a read replica's lag. PostgreSQL refuses to run
// as root: as root, the commands run as the `postgres` user.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './proc.js';
import { findPgTool } from './stores.js';

export interface PrimaryAndStandby {
  primaryUrl: string;
  standbyUrl: string;
  stop(): void;
}

/** The reason, instead, when the PostgreSQL server binaries are not installed. */
export async function startPrimaryAndStandby(): Promise<PrimaryAndStandby | string> {
  const tools = Object.fromEntries(['initdb', 'pg_ctl', 'pg_basebackup'].map((name) => [name, findPgTool(name)]));
  const missing = Object.keys(tools).filter((name) => !tools[name]);
  if (missing.length > 0) return `${missing.join(', ')} not found (PostgreSQL server binaries not installed)`;
  const bin = (name: string) => tools[name]!;
  const asRoot = userInfo().uid === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['su', ['postgres', '-c', [cmd, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')]] : [cmd, args];
    execFileSync(file, argv as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const dir = mkdtempSync(join(tmpdir(), 'openom-standby-'));
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const settings = (port: number) => [`port=${port}`, "listen_addresses='127.0.0.1'", `unix_socket_directories='${dir}'`, 'shared_buffers=16MB'];
  try {
    run(bin('initdb'), ['-D', primary, '-A', 'trust', '-U', 'postgres']);
    run('sh', ['-c', `printf '%s\\n' ${[...settings(primaryPort), 'wal_level=replica', 'max_wal_senders=4'].map((s) => `"${s}"`).join(' ')} >> ${primary}/postgresql.conf && echo 'host replication all 127.0.0.1/32 trust' >> ${primary}/pg_hba.conf`]);
    run(bin('pg_ctl'), ['-D', primary, '-l', join(dir, 'primary.log'), '-w', 'start']);
    run(bin('pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream']);
    run('sh', ['-c', `printf '%s\\n' "port=${standbyPort}" >> ${standby}/postgresql.conf`]);
    run(bin('pg_ctl'), ['-D', standby, '-l', join(dir, 'standby.log'), '-w', 'start']);
  } catch (err) {
    for (const data of [standby, primary]) {
      try {
        run(bin('pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // not started
      }
    }
    rmSync(dir, { recursive: true, force: true });
    return `could not start a primary and a standby: ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    standbyUrl: `postgres://postgres@127.0.0.1:${standbyPort}/postgres`,
    stop() {
      for (const data of [standby, primary]) run(bin('pg_ctl'), ['-D', data, '-m', 'fast', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
