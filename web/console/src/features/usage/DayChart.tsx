import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { day } from '../../app/format.js';
import type { DayPoint } from './report-series.js';

/** One measure by day as bars in the brand colour, in a figure whose caption and label say what it shows and its total. */
export function DayChart({
  title,
  summary,
  points,
  measure,
  format,
}: {
  title: string;
  summary: string;
  points: readonly DayPoint[];
  measure: keyof Omit<DayPoint, 'date'>;
  format: (value: number) => string;
}) {
  return (
    <figure className="chart card">
      <figcaption>{title}</figcaption>
      <div className="chart-box" role="img" aria-label={summary}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
            <XAxis dataKey="date" tickFormatter={day} tick={{ fontSize: 12, fill: '#4b5563' }} minTickGap={16} />
            <YAxis tickFormatter={format} tick={{ fontSize: 12, fill: '#4b5563' }} width={56} allowDecimals={false} />
            <Tooltip
              formatter={(value) => format(Number(value))}
              labelFormatter={(label) => (typeof label === 'string' ? day(label) : '')}
            />
            <Bar dataKey={measure} name={title} fill="var(--brand-primary)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
