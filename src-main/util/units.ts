// Moved to src-main/shared/units.ts (pure, shared with the renderer); kept so main-side imports need not change at once.
export * from '../shared/units';
