import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useWidget } from '../../app/context.js';
import type { Mode } from '../../loader/attributes.js';

const FOCUSABLE = 'input, button, a[href], [tabindex]:not([tabindex="-1"])';

/**
 * The panel: a dialog named after the tenant, with Close (launcher mode); Esc closes it; focus moves
 * into it on open (the loader gives it back to the launcher on close). Hidden, not unmounted, when
 * closed, so a running call goes on.
 */
export function Panel({ open, mode, onClose, children }: { open: boolean; mode: Mode; onClose: () => void; children: ReactNode }) {
  const { branding, t } = useWidget();
  const headingId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open || mode === 'inline') return;
    const body = ref.current?.querySelector('.panel-body');
    const target = body?.querySelector<HTMLElement>(FOCUSABLE) ?? ref.current;
    target?.focus();
  }, [open, mode]);

  return (
    <div
      ref={ref}
      role="dialog"
      aria-labelledby={headingId}
      className="panel"
      hidden={!open}
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && mode === 'launcher') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="panel-header">
        {branding.logoUrl && <img src={branding.logoUrl} alt="" />}
        <h2 id={headingId}>{branding.displayName}</h2>
        {mode === 'launcher' && (
          <button type="button" className="icon-button" aria-label={t('close')} onClick={onClose}>
            ×
          </button>
        )}
      </div>
      <div className="panel-body">{children}</div>
    </div>
  );
}
