import { useRef } from 'react';

/** A vertical pane divider: drag it, or focus it and use ←/→ (WAI-ARIA window splitter). */
export function Splitter({ value, min, max, onChange, label }: { value: number; min: number; max: number; onChange(px: number): void; label: string }) {
  const drag = useRef<{ x: number; start: number } | null>(null);
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={(e) => {
        drag.current = { x: e.clientX, start: value };
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => drag.current && onChange(drag.current.start + e.clientX - drag.current.x)}
      onPointerUp={() => (drag.current = null)}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 48 : 16;
        if (e.key === 'ArrowLeft') onChange(value - step);
        else if (e.key === 'ArrowRight') onChange(value + step);
        else return;
        e.preventDefault();
        e.stopPropagation();
      }}
    />
  );
}
