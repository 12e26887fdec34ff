import { useId } from 'react';

/**
 * A range slider paired with a number input (type a value above the slider's range and the
 * form shows why it is too much, instead of silently clamping).
 */
export function Slider({
  label,
  value,
  min,
  max,
  step = 1,
  unit,
  onChange,
  error,
  hint,
  disabled,
  testId,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  unit?: string;
  onChange(v: number): void;
  error?: string | null;
  hint?: string | null;
  disabled?: boolean;
  testId?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const safeMax = Math.max(min, max);
  return (
    <div className={`field slider-field${error ? ' has-error' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
        {unit ? ` (${unit})` : ''}
      </label>
      <div className="slider-row">
        <input
          type="range"
          min={min}
          max={safeMax}
          step={step}
          value={Math.min(Math.max(value || min, min), safeMax)}
          onChange={(e) => onChange(Number(e.target.value))}
          disabled={disabled}
          aria-label={label}
          data-testid={testId ? `${testId}-slider` : undefined}
        />
        <input
          id={id}
          type="number"
          className="slider-number"
          min={min}
          step={step}
          value={Number.isFinite(value) ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : hint ? hintId : undefined}
          data-testid={testId}
        />
      </div>
      <div className="slider-scale" aria-hidden="true">
        <span>{min}</span>
        <span>{safeMax}</span>
      </div>
      {hint && !error && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {error}
        </p>
      )}
    </div>
  );
}
