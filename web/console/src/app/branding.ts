import type { Branding } from '../api/console-api.js';
import type { Translate } from '../i18n/index.js';
import { applyTheme, themeVariables } from '../theme/theme.js';

/** The tenant's colours on the whole console, its name in the title, its logo as the tab's icon. */
export function applyBranding(branding: Branding, t: Translate): void {
  applyTheme(document.documentElement, themeVariables(branding));
  document.title = t('consoleTitle', { name: branding.displayName });
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (icon && /^https?:\/\//.test(branding.logoUrl)) icon.href = branding.logoUrl;
}
