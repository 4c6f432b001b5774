// Chromium for the browser tests (and bench/checkout.ts): Debian's /usr/bin/chromium driven by
// playwright-core, which downloads no browser; an axe-core scan of a page; and a shop server for a test.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A skip reason for the browser suites where Chromium is missing; in CI they run (and fail) instead. */
export const withoutChromium: string | false = !existsSync(CHROMIUM) && !process.env.CI ? `${CHROMIUM} is not installed` : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Runs axe-core on the page; its context must bypass CSP so that axe can be injected. */
export async function axeScan(page: Page): Promise<AxeResults> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
}

/** The serious and critical violations of a scan, one line each. */
export function seriousViolations(results: AxeResults): string[] {
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A merchant's web shop for a browser test: `handle` answers its requests; on a free port of 127.0.0.1. */
export interface ShopServer {
  base: string;
  close: () => Promise<void>;
}

export async function startShopServer(handle: RequestListener): Promise<ShopServer> {
  const server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
