/**
 * The storage modes of a live move, in a file without schemas: `hangar vm move` lists them in its
 * help and must not load zod for that (a `hangar` call through a running engine never loads the contract).
 */
export const MOVE_STORAGE = ['auto', 'copy', 'shared'] as const;
