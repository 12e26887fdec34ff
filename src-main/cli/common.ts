import type { EngineClient } from './engine-client';
import { connectEngine } from './engine-client';

/** Helpers shared by every CLI command module. */
export class UsageError extends Error {}

export const print = (json: boolean, value: unknown, text: () => string) => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
};

export async function withClient<T>(fn: (c: EngineClient) => Promise<T>): Promise<T> {
  const client = await connectEngine();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export function parseInteger(what: string) {
  return (text: string) => {
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number, not "${text}".`);
    return Number(text);
  };
}

