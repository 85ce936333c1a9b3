// Debian's Chromium as the browser tests launch it (playwright-core drives it; nothing is downloaded). The flags keep
// a headless run on loopback quiet: no GPU, no sandbox (CI runs as root), no background traffic to Google.
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export const CHROMIUM_LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
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
};
