/** Debian's chromium for component tests: headless, offline, with its config and caches in a temp folder. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** The chromium binary (TAGBENCH_CHROMIUM overrides Debian's). */
export const CHROMIUM_PATH = process.env.TAGBENCH_CHROMIUM ?? '/usr/bin/chromium';

/** Launches chromium; crash reports and caches go to a temp folder, never the home folder. */
export function launchChromium(): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'tagbench-chromium-'));
  const env = {
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_DATA_HOME: join(dir, 'data'),
  };
  for (const folder of Object.values(env)) mkdirSync(folder, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env: { ...process.env, ...env },
  });
}
