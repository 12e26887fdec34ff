import { Icon, type IconName } from './Icon';

/** A sidebar entry that opens a page and, clicked again, closes it. */
export function NavEntry({ active, icon, label, onToggle, testId, className = 'ops-nav-entry' }: { active: boolean; icon: IconName; label: string; onToggle(open: boolean): void; testId: string; className?: string }) {
  return (
    <button type="button" className={`${className}${active ? ' active' : ''}`} aria-pressed={active} onClick={() => onToggle(!active)} data-testid={testId}>
      <Icon name={icon} size={18} />
      {label}
    </button>
  );
}
