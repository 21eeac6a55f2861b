import { createContext, useContext } from 'react';
import type { WidgetApi, WidgetBranding } from '../api/widget-api.js';
import type { Language, Translate } from '../i18n/index.js';

export interface WidgetContextValue {
  api: WidgetApi;
  branding: WidgetBranding;
  t: Translate;
  language: Language;
  /** The shadow root (audio elements of a call go here). */
  root: ShadowRoot;
}

export const WidgetContext = createContext<WidgetContextValue | undefined>(undefined);

export function useWidget(): WidgetContextValue {
  const value = useContext(WidgetContext);
  if (!value) throw new Error('useWidget outside the widget');
  return value;
}
