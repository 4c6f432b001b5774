// What OpenOM keeps on disk (the SQLite store and its -wal/-shm, the self-signed TLS pair, their
// folder) holds password hashes, session tokens, webhook signing secrets and a private key: it is
// made readable by OpenOM's own user only (CONTRACT §9), whatever the umask.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_FOLDER = 0o700;

/** Creates the folder (and any missing parent) for the owner only; an existing one is left as it is. */
export function makeOwnerOnlyFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: OWNER_ONLY_FOLDER });
}

/**
 * Creates the SQLite file for the owner only before SQLite opens it: SQLite would make it 0644,
 * and it makes the -wal and -shm files with the mode of the database file.
 */
export function prepareSqliteFile(path: string): void {
  makeOwnerOnlyFolder(dirname(path));
  // 'a': creates the file if it is missing, never truncates one that exists.
  closeSync(openSync(path, 'a', OWNER_ONLY_FILE));
}
