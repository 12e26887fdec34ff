import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { api } from '../../api';
import { Icon } from '../../components/Icon';
import { isVmActive } from './console-logic';
import './consoles.css';

/** How often a visible row asks for a new picture. The engine caches captures for 2 s. */
const REFRESH_MS = 5000;
/** The last picture per VM, so rows that scroll out and back (virtualised list) show it at once. */
const lastPicture = new Map<string, string>();

/**
 * `large`: the details header's picture, shown only once there is one.
 * A live miniature of a running VM's screen for the machine list: QEMU's PNG (`vm.thumbnail`),
 * scaled by the browser. Asks only while the row is on screen and the window is visible.
 */
export function VmThumbnail({ vm, large = false }: { vm: VmInfo; large?: boolean }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const live = isVmActive(vm.state) && vm.state !== 'starting' && vm.spec.display === 'vnc';
  const [src, setSrc] = useState<string | null>(() => (live ? (lastPicture.get(vm.id) ?? null) : null));
  // the details header is always on screen; list rows ask only while scrolled into view
  const [inView, setInView] = useState(large);

  useEffect(() => {
    const el = box.current;
    if (!el || large) return;
    const io = new IntersectionObserver((entries) => setInView(entries.some((e) => e.isIntersecting)));
    io.observe(el);
    return () => io.disconnect();
  }, [large]);

  useEffect(() => {
    if (!live) {
      lastPicture.delete(vm.id);
      setSrc(null);
      return;
    }
    if (!inView) return;
    let stopped = false;
    const refresh = () => {
      if (document.hidden) return;
      api.call('vm.thumbnail', { vm: vm.id }).then(
        (pic) => {
          if (stopped) return;
          lastPicture.set(vm.id, pic.dataUrl);
          setSrc(pic.dataUrl);
        },
        () => undefined, // a VM between states: keep the last picture, the next tick retries
      );
    };
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [live, inView, vm.id]);

  return (
    <div className={`vm-thumb${large ? ' vm-thumb-large' : ''}${large && !src ? ' vm-thumb-hidden' : ''}`} ref={box} data-testid={large ? 'vm-details-thumb' : 'vm-thumb'} data-live={live || undefined}>
      {src ? <img className="vm-thumb-img" src={src} alt={t('console.thumbnail', { name: vm.name })} draggable={false} /> : <Icon name="display" size={16} aria-hidden="true" />}
    </div>
  );
}
