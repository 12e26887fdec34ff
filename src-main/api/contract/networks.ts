import { z } from 'zod';
import { method } from './define';
import { empty, hostId, objectName, objectRef } from './common';
import type { VmState } from './vm';

/**
 * Networks between VMs. An internal network connects the NICs that name it (mode "internal"),
 * without root and without a helper process: each member's QEMU joins the same UDP multicast
 * group on the loopback interface (see network/network-service.ts for why this backend).
 */
export interface NetworkMember {
  vmId: string;
  vmName: string;
  vmState: VmState;
  nicId: string;
  mac: string;
}

export interface NetworkInfo {
  id: string;
  name: string;
  description: string;
  kind: 'internal';
  /** The multicast group and UDP port the members' QEMUs use (loopback only). */
  mcastGroup: string;
  mcastPort: number;
  createdAt: string;
  members: NetworkMember[];
}

/** A host bridge a NIC in "bridge" mode can join, and whether QEMU may join it here. */
export interface HostBridgeInfo {
  name: string;
  usable: boolean;
  /** Why not, and what to do (bridge.conf line, setuid helper). */
  reason: string | null;
}

export interface HostBridgeReport {
  hostId: string;
  /** Path of qemu-bridge-helper, or null when QEMU's bridge helper is not installed. */
  helper: string | null;
  bridges: HostBridgeInfo[];
}

const networkRef = z.object({ network: objectRef('network') }).strict();

export const networkMethods = {
  'network.list': method<NetworkInfo[]>()(empty, 'Internal networks and the VMs on them.'),
  'network.get': method<NetworkInfo>()(networkRef, 'One internal network by name or id.'),
  'network.create': method<NetworkInfo>()(
    z.object({ name: objectName('network'), description: z.string().max(1000).default('') }).strict(),
    'Create an internal network (VMs on it reach each other, not the outside).',
  ),
  'network.delete': method<{ deleted: string }>()(networkRef, 'Delete an internal network no NIC uses.'),
  'network.bridges': method<HostBridgeReport>()(
    z.object({ hostId }).strict(),
    'Host bridges a NIC can be bridged to, and whether QEMU is allowed to use each.',
  ),
} as const;
