import type { ReactNode } from 'react';

export function EmptyState({ art, title, children, testId }: { art?: ReactNode; title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty-state" data-testid={testId}>
      {art && <div className="empty-art">{art}</div>}
      <h2>{title}</h2>
      {children}
    </div>
  );
}
