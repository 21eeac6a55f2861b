import type { Translate } from '../../i18n/index.js';

/** Seconds as people read them: `45 s`, `12 min`, `12 min 30 s`, `2 h 5 min`. */
export function formatDuration(totalSeconds: number, t: Translate): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return t('hours', { h, m });
  if (m === 0) return t('seconds', { s });
  return s === 0 ? t('minutes', { m }) : t('minutesSeconds', { m, s });
}

export function formatDate(iso: string, language: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(date);
}
