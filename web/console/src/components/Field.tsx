import { useId, type ReactElement, type ReactNode, cloneElement } from 'react';

interface ControlProps {
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

/**
 * A labelled form control with its hint and error, wired for assistive technology: the control
 * gets the label's id, and the hint and error as its description.
 */
export function Field({
  label,
  hint,
  error,
  children,
  className,
  badge,
}: {
  label: string;
  /** Shown beside the label (e.g. who manages the value). */
  badge?: ReactNode;
  hint?: string;
  error?: string | undefined;
  children: ReactElement<ControlProps>;
  className?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      {badge ? (
        <div className="label-row">
          <label htmlFor={id}>{label}</label>
          {badge}
        </div>
      ) : (
        <label htmlFor={id}>{label}</label>
      )}
      {cloneElement(children, { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
