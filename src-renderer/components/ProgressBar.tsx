/** A determinate bar for 0..1, or an indeterminate one for null (size of the work unknown). */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  const pct = value === null ? undefined : Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className={`progress${pct === undefined ? ' indeterminate' : ''}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div className="progress-fill" style={pct === undefined ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
