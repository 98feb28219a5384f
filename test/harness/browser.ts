import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Where screenshots are kept (CI keeps the folder as the run's artifacts). */
export const artifactsDir = join('test-artifacts', 'console');

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * Presses Tab until the focused element is the one `matches` describes (as a keyboard user
 * would reach it); fails when it cannot be reached in `max` presses.
 */
export async function tabTo(page: Page, matches: (el: { tag: string; text: string; label: string | null; href: string | null }) => boolean, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return a ? { tag: a.tagName.toLowerCase(), text: (a.textContent ?? '').trim(), label: a.getAttribute('aria-label'), href: a.getAttribute('href') } : null;
    });
    if (el && matches(el)) return;
  }
  throw new Error(`not reached with ${max} presses of Tab`);
}
