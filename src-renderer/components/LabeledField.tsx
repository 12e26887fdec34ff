import type { ReactNode } from 'react';

/** A label wrapping one control, its text above it (the compact forms of the operations pages). */
export function LabeledField({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
    </label>
  );
}
