import { useState } from 'react';
import { useConsole } from '../../app/context.js';
import { isoDay } from '../../app/format.js';

export interface DayRange {
  from: string;
  to: string;
}

/** The last `days` days, today included (UTC days, as the reports count them). */
export function lastDays(days: number): DayRange {
  const to = new Date();
  return { from: isoDay(new Date(to.getTime() - (days - 1) * 86_400_000)), to: isoDay(to) };
}

/** From and To days, applied with Show; an end before the start is caught here. */
export function DateRangeForm({ range, onChange }: { range: DayRange; onChange: (range: DayRange) => void }) {
  const { t } = useConsole();
  const [draft, setDraft] = useState(range);
  const invalid = draft.from > draft.to;
  return (
    <form
      className="card row"
      aria-label={t('showRange')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!invalid) onChange(draft);
      }}
    >
      <label htmlFor="range-from">{t('from')}</label>
      <input
        id="range-from"
        type="date"
        value={draft.from}
        onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        style={{ width: 'auto' }}
      />
      <label htmlFor="range-to">{t('to')}</label>
      <input
        id="range-to"
        type="date"
        value={draft.to}
        onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        style={{ width: 'auto' }}
      />
      <button type="submit" className="primary" disabled={invalid}>
        {t('showRange')}
      </button>
      {invalid && (
        <p role="alert" className="field-error">
          {t('rangeInvalid')}
        </p>
      )}
    </form>
  );
}
