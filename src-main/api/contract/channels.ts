import { z } from 'zod';
import { method } from './define';
import { objectRef } from './common';

/**
 * Channels carry byte streams (serial consoles, host shells) over any transport:
 * open returns an id, data flows as `channel.data` events to the client that opened it,
 * `channel.write` sends bytes the other way. Payloads are base64 so any byte survives JSON.
 */
export const CHANNEL_KINDS = ['serial', 'shell'] as const;

export interface ChannelOpened {
  channelId: string;
  /** Recent output to draw before live data (serial scrollback from the log file), base64. */
  scrollback: string;
}

export const channelMethods = {
  'channel.open': method<ChannelOpened>()(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('serial'), vm: objectRef('VM'), scrollbackBytes: z.number().int().min(0).max(4 * 1024 * 1024).default(256 * 1024) }).strict(),
      z
        .object({
          kind: z.literal('shell'),
          hostId: z.string().min(1).max(64).default('local'),
          cols: z.number().int().min(2).max(1000).default(80),
          rows: z.number().int().min(2).max(1000).default(24),
          /** Run `ssh` to this cloud VM (cloudinit.sshCommand's argv) in a local PTY instead of a login shell. */
          sshVm: objectRef('VM').optional(),
        })
        .strict(),
    ]),
    'Open a byte stream: a VM serial console or a host shell.',
  ),
  'channel.write': method<null>()(
    z.object({ channelId: z.string().min(1), data: z.base64({ error: 'Channel data must be base64.' }).max(1024 * 1024) }).strict(),
    'Send bytes to a channel (keystrokes).',
  ),
  'channel.resize': method<null>()(
    z.object({ channelId: z.string().min(1), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(1000) }).strict(),
    'Tell a shell channel its terminal size.',
  ),
  'channel.close': method<null>()(z.object({ channelId: z.string().min(1) }).strict(), 'Close a channel.'),
} as const;
