// The published OpenAPI document and the TypeScript client types generated from it.
//   generate (npm run client:generate): writes clients/openapi.json and clients/typescript/schema.d.ts
//   check    (npm run openapi:check, part of npm run check): lints the document with Redocly's
//            recommended rules (redocly.yaml) and fails when a committed file differs from what
//            generate would write now.
// The document comes from the app itself (app.swagger()), built on an in-memory store: no server.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/dialect.js';

const DOCUMENT_FILE = 'clients/openapi.json';
const TYPES_FILE = 'clients/typescript/schema.d.ts';

/** The document of a server with every operation: sandbox mode, the klarna profile (it keeps the capture due-date and send-out operations), /metrics on the API port. */
async function currentDocument(): Promise<string> {
  // An explicit environment: nothing of the caller's shell may change the published document.
  const config = loadConfig({ OPENOM_MODE: 'sandbox', OPENOM_PROFILE: 'klarna', LOG_LEVEL: 'silent' });
  const store = openStore({ kind: 'sqlite', path: ':memory:' }, { merchantClocks: true });
  const app = await buildApp({ config, store, readiness: { migrated: false }, adminTokenDigest: () => undefined });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await store.close();
  }
}

/** What `npx openapi-typescript clients/openapi.json` writes, with its default options. */
async function typesOf(document: string): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(JSON.parse(document) as Parameters<typeof openapiTS>[0]))}`;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Redocly's lint of the document (redocly.yaml); true when it finds no error and no warning. */
function lint(document: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'openom-openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), document);
    const result = spawnSync(resolve('node_modules/.bin/redocly'), ['lint', 'openapi.json', '--config', resolve('redocly.yaml'), '--format', 'stylish'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    if (result.error) throw result.error;
    // Its boxed notice that Node 20 support is ending says nothing about the document.
    const output = `${result.stdout}${result.stderr}`.split('\n').filter((line) => !/[║╔╚]/.test(line)).join('\n').trim();
    console.log(output);
    // Warnings leave Redocly's exit status at 0; this project allows none.
    return result.status === 0 && !/You have \d+ warnings?/.test(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(command: string | undefined): Promise<number> {
  const document = await currentDocument();
  const types = await typesOf(document);
  if (command === 'generate') {
    writeFileSync(DOCUMENT_FILE, document);
    writeFileSync(TYPES_FILE, types);
    console.log(`wrote ${DOCUMENT_FILE} (${Buffer.byteLength(document)} bytes) and ${TYPES_FILE}`);
    return 0;
  }
  if (command === 'check') {
    let ok = lint(document);
    for (const [file, expected] of [[DOCUMENT_FILE, document], [TYPES_FILE, types]] as const) {
      if (readOrEmpty(file) !== expected) {
        console.error(`openapi: ${file} is not up to date with the routes' schemas: run npm run client:generate and commit it`);
        ok = false;
      }
    }
    return ok ? 0 : 1;
  }
  console.error('usage: node --import tsx scripts/openapi.ts generate|check');
  return 2;
}

process.exitCode = await main(process.argv[2]);
