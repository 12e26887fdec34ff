import type { ReactNode } from 'react';

/** Name/value rows (a description list), as the details, guest and summary panels show them. */
export function DetailRows({ rows, className = 'detail-rows', testId }: { rows: ReadonlyArray<readonly [string, ReactNode]>; className?: string; testId?: string }) {
  return (
    <dl className={className} data-testid={testId}>
      {rows.map(([k, v]) => (
        <div key={k} className="detail-row">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
