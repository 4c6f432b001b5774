// Checks the links of README.md and docs/*.md that point into this repository: the file must exist
// and a #fragment must name a heading (GitHub's slug) or an explicit <a id="…"> of the target file.
// Links to other sites are not fetched. Usage: node scripts/check-doc-links.mjs [file.md ...]
// Prints one line per broken link and exits 1 when there is one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Markdown text without fenced code blocks and inline code spans, where brackets are not links. */
function proseOf(text) {
  const lines = [];
  let fence = null;
  for (const line of text.split('\n')) {
    const opener = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (opener && opener[1].startsWith(fence)) fence = null;
      lines.push('');
    } else if (opener) {
      fence = opener[1];
      lines.push('');
    } else {
      lines.push(line.replace(/(`+)[^`]*?\1/g, ''));
    }
  }
  return lines.join('\n');
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  let fence = null;
  for (const line of text.split('\n')) {
    const opener = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (opener && opener[1].startsWith(fence)) fence = null;
      continue;
    }
    if (opener) {
      fence = opener[1];
      continue;
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const visible = heading[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '');
    const slug = visible
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function linksOf(text) {
  const prose = proseOf(text);
  const links = [];
  for (const m of prose.matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push(m[1]);
  for (const m of prose.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) links.push(m[1]);
  return links;
}

function defaultFiles() {
  const docs = join(root, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join(docs, f)) : [];
  return [join(root, 'README.md'), ...pages.sort()];
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFiles();
const anchorCache = new Map();
const problems = [];
let checked = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const link of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) continue; // another site, mailto:
    checked++;
    const [path, fragment] = link.split('#', 2);
    const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(root, file)}: ${link}`;
    if (!existsSync(target)) {
      problems.push(`${where}: no such file ${relative(root, target)}`);
      continue;
    }
    if (fragment === undefined || fragment === '') continue;
    if (statSync(target).isDirectory() || !target.endsWith('.md')) {
      problems.push(`${where}: a #fragment on a file that is not Markdown`);
      continue;
    }
    if (!anchorCache.has(target)) anchorCache.set(target, anchorsOf(readFileSync(target, 'utf8')));
    if (!anchorCache.get(target).has(decodeURIComponent(fragment))) problems.push(`${where}: no heading or anchor #${fragment} in ${relative(root, target)}`);
  }
}
for (const problem of problems) console.log(problem);
console.log(`${checked} local links in ${files.length} files, ${problems.length} broken`);
process.exit(problems.length === 0 ? 0 : 1);
