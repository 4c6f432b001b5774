// The README and docs/ link to each other and into the repository (issue 22 moved the reference
// into docs/): every local link and #anchor must resolve, as scripts/check-doc-links.mjs checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/process.js';

const check = (...files: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/check-doc-links.mjs'), ...files], { encoding: 'utf8' });

describe('documentation links', () => {
  it('every local link and anchor of README.md and docs/*.md resolves', () => {
    const run = check();
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /local links in \d+ files, 0 broken/);
  });

  it('a missing file or a missing heading is reported, and code is not read as links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-doc-links-'));
    try {
      const page = join(dir, 'page.md');
      writeFileSync(page, '# A page\n\n## Two words\n\n[ok](#two-words) [gone](missing.md) [nowhere](#no-such-heading) `[code](x.md)`\n\n```\n[fenced](y.md)\n```\n');
      const run = check(page);
      assert.equal(run.status, 1);
      const shown = relative(REPO_ROOT, dir);
      assert.deepEqual(run.stdout.trim().split('\n'), [
        `${shown}/page.md: missing.md: no such file ${shown}/missing.md`,
        `${shown}/page.md: #no-such-heading: no heading or anchor #no-such-heading in ${shown}/page.md`,
        '3 local links in 1 files, 2 broken',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
