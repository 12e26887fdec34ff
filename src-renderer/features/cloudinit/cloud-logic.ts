import { parseDocument, isMap } from 'yaml';
import type { CloudInitInput } from '../../../src-main/api/contract';
import { cloudHostname, cloudUser } from '../../../src-main/api/contract/cloudinit-spec';
import type { Issues } from '../wizard/form-logic';

/**
 * The wizard's cloud-init step: its draft, its checks (the contract's own rules for user and host
 * names; user-data and network-config parsed as YAML before anything is sent), and the input for
 * cloudinit.createVm. Pure: no DOM, no i18n.
 */
export interface CloudDraft {
  user: string;
  hostname: string;
  /** Keys picked from ~/.ssh/*.pub. */
  pickedKeys: string[];
  /** Keys pasted, one per line. */
  pastedKeys: string;
  password: string;
  timezone: string;
  packages: string;
  userData: string;
  networkConfig: string;
}

export function newCloudDraft(vmName: string): CloudDraft {
  return { user: '', hostname: hostnameFrom(vmName), pickedKeys: [], pastedKeys: '', password: '', timezone: '', packages: '', userData: '', networkConfig: '' };
}

export const hostnameFrom = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);

const allKeys = (c: CloudDraft) => [...c.pickedKeys, ...c.pastedKeys.split('\n').map((l) => l.trim()).filter(Boolean)];

/** The YAML problem, with line, or null. */
export function yamlProblem(text: string): { line: number; message: string } | { notMap: true } | null {
  if (!text.trim()) return null;
  const doc = parseDocument(text, { uniqueKeys: true });
  const e = doc.errors[0];
  if (e) return { line: e.linePos?.[0].line ?? 1, message: e.message.split('\n')[0] ?? '' };
  return isMap(doc.contents) ? null : { notMap: true };
}

export function cloudIssues(c: CloudDraft): Issues {
  const issues: Issues = {};
  if (!cloudUser.safeParse(c.user).success) issues['cloudInit.user'] = { key: 'cloud.v.user' };
  if (!cloudHostname.safeParse(c.hostname).success) issues['cloudInit.hostname'] = { key: 'cloud.v.hostname' };
  if (allKeys(c).length === 0 && !c.password) issues['cloudInit.sshKeys'] = { key: 'cloud.v.noWayIn' };
  for (const field of ['userData', 'networkConfig'] as const) {
    const p = yamlProblem(c[field]);
    if (p && 'notMap' in p) issues[`cloudInit.${field}`] = { key: 'cloud.v.yamlNotMap' };
    else if (p) issues[`cloudInit.${field}`] = { key: 'cloud.v.yaml', params: { line: p.line, message: p.message } };
  }
  return issues;
}

export function toCloudInit(c: CloudDraft): CloudInitInput {
  return {
    user: c.user.trim(),
    hostname: c.hostname.trim(),
    sshKeys: allKeys(c),
    ...(c.password ? { password: c.password } : {}),
    ...(c.timezone.trim() ? { timezone: c.timezone.trim() } : {}),
    packages: c.packages.split(/[\s,]+/).filter(Boolean),
    userData: c.userData,
    networkConfig: c.networkConfig,
  };
}

/** Engine field names of cloudinit.createVm → the step's field keys. */
export function cloudField(field: string): string | null {
  if (field === 'sshKeys' || field === 'userData' || field === 'networkConfig') return `cloudInit.${field}`;
  if (field.startsWith('cloudInit.')) return field.split('.').slice(0, 2).join('.');
  return null;
}
