import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** npm test provides Chromium (scripts/test-services.ts); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** CI must run the browser tests; elsewhere they are skipped when Chromium is absent. */
export const chromiumAvailable = existsSync(CHROMIUM) || process.env.CI === 'true';

/** Headless Chromium that talks to nothing but the servers a test starts (no QUIC, updates, sync or first-run pages). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
