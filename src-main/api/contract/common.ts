import { z } from 'zod';
import { NAME_MAX, NAME_RE } from '../../shared/names';

/** Names of user objects: the rule is in shared/names.ts (the renderer checks it too). */
export { NAME_MAX };

export const objectName = (what: string) =>
  z
    .string({ error: `A ${what} name is required.` })
    .min(1, { error: `A ${what} name is required.` })
    .max(NAME_MAX, { error: `A ${what} name can have at most ${NAME_MAX} characters.` })
    .regex(NAME_RE, {
      error: `A ${what} name may use letters, digits, spaces, ".", "_" and "-", must start with a letter or digit, and may not contain "/" or shell characters.`,
    });

/** A reference to an object by id or by name. */
export const objectRef = (what: string) =>
  z.string({ error: `Which ${what}? Give its name or id.` }).min(1, { error: `Which ${what}? Give its name or id.` }).max(200);

/** An absolute path on the host the object lives on. Checked for existence by the engine, not here. */
export const absolutePath = (what: string) =>
  z
    .string({ error: `${what}: a path is required.` })
    .min(1, { error: `${what}: a path is required.` })
    .max(4096)
    .refine((p) => p.startsWith('/'), { error: `${what}: use an absolute path (starting with "/").` })
    .refine((p) => !p.includes('\0'), { error: `${what}: the path contains a NUL byte.` });

export const hostId = z.string().min(1).max(64).default('local');

export const empty = z.object({}).strict();
