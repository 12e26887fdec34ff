import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDiskFacts } from '../../../src-main/api/contract/disk-facts';
import type { VmInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api } from '../../api';

/**
 * Sizes (virtual and used) and library names of a VM's disks and CD-ROM medium, for the Details
 * and Storage tabs. Re-read when the VM's disks, medium or state change (a running guest grows them).
 */
export function useDiskFacts(vm: VmInfo): Map<string, VmDiskFacts> {
  const [facts, setFacts] = useState<Map<string, VmDiskFacts>>(new Map());
  const key = `${vm.id}|${vm.state}|${vm.spec.cdrom ?? ''}|${vm.spec.disks.map((d) => d.path).join(',')}`;
  useEffect(() => {
    let live = true;
    api.call('vm.diskFacts', { vm: vm.id }).then(
      (list) => live && setFacts(new Map(list.map((f) => [f.id, f]))),
      () => live && setFacts(new Map()), // sizes are a nicety: the paths are still shown
    );
    return () => {
      live = false;
    };
  }, [key]);
  return facts;
}

/** "2.0 GiB virtual · 196 KiB used". */
export function DiskSize({ facts, testId }: { facts: VmDiskFacts | undefined; testId?: string }) {
  const { t } = useTranslation();
  if (!facts || facts.virtualBytes === null) return null;
  return (
    <span className="muted small disk-size" data-testid={testId}>
      {t('newUser.diskSize', { virtual: formatBytes(facts.virtualBytes), used: facts.usedBytes === null ? '—' : formatBytes(facts.usedBytes) })}
    </span>
  );
}

/** A medium by its library name, its path on hover; the path when it is not from the library. */
export function MediumName({ path, facts, testId }: { path: string; facts: VmDiskFacts | undefined; testId?: string }) {
  return facts?.imageName ? (
    <strong title={path} data-testid={testId}>
      {facts.imageName}
    </strong>
  ) : (
    <code className="path" data-testid={testId}>
      {path}
    </code>
  );
}
