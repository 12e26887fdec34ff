// Moved to src-main/shared/vm-state.ts (pure, shared with the renderer); kept so main-side imports need not change at once.
export * from '../shared/vm-state';
