import type { Locator, Page } from 'playwright-core';

// What the browser tests read from the widget, by the roles and names of its accessible DOM
// contract (/tmp/widget-contract.md, issue 13), shared by the test files.

/** Seconds in a duration as the widget shows it (`12 min 30 s`, `1 h 5 min`, `45 s`, `0 s`). */
export function secondsOfDuration(text: string): number {
  const part = (unit: string) => Number(new RegExp(`(\\d+)\\s*${unit}\\b`).exec(text)?.[1] ?? 0);
  if (!/\d/.test(text)) throw new Error(`not a duration: ${text}`);
  return part('h') * 3600 + part('min') * 60 + part('s');
}

/** Opens the tenant's panel from its launcher (unless open already) and returns the dialog. */
export async function openPanel(page: Page, tenantName: string): Promise<Locator> {
  const panel = page.getByRole('dialog', { name: tenantName });
  if (!(await panel.isVisible())) {
    await page.getByRole('button', { name: `Talk to ${tenantName}` }).click({ timeout: 20_000 });
  }
  await panel.waitFor({ timeout: 20_000 });
  return panel;
}

/** Signs up (or, with `existing`, signs in) in the panel, and waits for the signed-in home. */
export async function signInPanel(panel: Locator, email: string, password: string, existing = false): Promise<void> {
  if (!existing) await panel.getByRole('button', { name: 'Create account' }).click();
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByLabel('Password').fill(password);
  await panel.getByRole('button', { name: existing ? 'Sign in' : 'Sign up' }).click();
  await panel.getByRole('heading', { name: 'Balance' }).waitFor({ timeout: 20_000 });
  // The balance is loaded (not `Loading…`).
  await panel.getByLabel('Available time').waitFor({ timeout: 20_000 });
}

/** The available time the signed-in home shows, in seconds. */
export async function availableSeconds(panel: Locator): Promise<number> {
  return secondsOfDuration(await panel.getByLabel('Available time').innerText());
}
