/**
 * Names of user objects (VMs, images, volumes, pools, hosts, snapshots). They are data, never quoted
 * into a shell: letters of any script, digits, space, dot, underscore and dash; no slashes, no shell
 * metacharacters. Pure and shared: the contract validates with it (api/contract/common.ts) and the
 * renderer's forms check it before sending.
 */
export const NAME_MAX = 64;
export const NAME_RE = /^[\p{L}\p{N}](?:[\p{L}\p{N} ._-]*[\p{L}\p{N}_-])?$/u;
