import { z } from 'zod';
import { method } from './define';
import { objectRef } from './common';

/**
 * Graphical consoles and thumbnails. The serial console and host shells are byte channels
 * (contract/channels.ts); the VNC display is a separate binary WebSocket (`/vnc`) because noVNC
 * speaks RFB directly. Each VNC connection needs a one-time ticket from `vnc.ticket`.
 */
export const VNC_TICKET_TTL_SEC = 30;
/** Thumbnails are scaled down to this width (2× the largest place the UI shows them). */
export const THUMBNAIL_WIDTH = 320;

export interface VncTicket {
  /** Single use, bound to this VM, valid for `expiresInSec`. */
  ticket: string;
  /** Path and query to open as a WebSocket on the engine's HTTP origin, e.g. `/vnc?ticket=…`. */
  path: string;
  /** A full ws:// URL when the face serves VNC elsewhere than the page's origin (desktop app). */
  url: string | null;
  expiresInSec: number;
}

export interface VmThumbnail {
  /** A small PNG (at most THUMBNAIL_WIDTH wide) of the guest's screen, as a data URL. */
  dataUrl: string;
  width: number;
  height: number;
  /** The guest screen's own size. */
  screenWidth: number;
  screenHeight: number;
  /** When the screen was captured (ISO time). */
  at: string;
}

export const consoleMethods = {
  'vnc.ticket': method<VncTicket>()(
    z.object({ vm: objectRef('VM') }).strict(),
    'Get a one-time ticket to open the graphical console (VNC over WebSocket) of a running VM.',
  ),
  'vm.thumbnail': method<VmThumbnail>()(
    z.object({ vm: objectRef('VM') }).strict(),
    "A small picture of a running VM's screen (cached for a few seconds).",
  ),
} as const;
