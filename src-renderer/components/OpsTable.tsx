import type { ReactNode } from 'react';

/** A column heading; `hidden` headings are read by screen readers only (e.g. the actions column). */
export type Column = string | { hidden: string };

/** The list table of the operations pages: one header row from `columns`, the rows as children. */
export function OpsTable({ columns, testId, className = 'ops-table', children }: { columns: readonly Column[]; testId?: string; className?: string; children: ReactNode }) {
  return (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i}>{typeof c === 'string' ? c : <span className="sr-only">{c.hidden}</span>}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
