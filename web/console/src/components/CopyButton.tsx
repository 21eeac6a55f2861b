import { useState } from 'react';
import { useConsole } from '../app/context.js';

/** Copies `value` to the clipboard; says so beside the button. `what` names it for screen readers. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const { t } = useConsole();
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy">
      <button
        type="button"
        aria-label={t('copyLabel', { what })}
        onClick={() => {
          void navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {t('copy')}
      </button>
      <span role="status" className="copied">
        {copied ? t('copied') : ''}
      </span>
    </span>
  );
}

/** A value to copy (a URL, a DNS record), labelled, read-only, with its copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <div className="copy-field">
      <span className="copy-label">{label}</span>
      <code>{value}</code>
      <CopyButton value={value} what={label} />
    </div>
  );
}
