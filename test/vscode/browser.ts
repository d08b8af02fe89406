/** Launching Debian's chromium through playwright-core, headless, with a fresh profile. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM } from './toolPaths.ts';

/** Flags that keep chromium offline and quiet in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless chromium whose profile, crash reports and caches all live in `dir` (which should be new):
 * chromium puts crash reports under $XDG_CONFIG_HOME/chromium whatever its --user-data-dir.
 */
export function launchBrowser(dir: string): Promise<BrowserContext> {
  const xdg = {
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_DATA_HOME: join(dir, 'data'),
  };
  for (const folder of Object.values(xdg)) mkdirSync(folder, { recursive: true });
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, ...xdg },
    viewport: { width: 1400, height: 900 },
  });
}
