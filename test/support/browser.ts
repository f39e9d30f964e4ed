// Real Chromium for the dashboard's browser tests (T5), driven by playwright-core over the
// Debian package's binary: nothing is downloaded. scripts/run-tests.mjs skips the browser
// tests outside CI when the binary is missing and fails under CI.
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
