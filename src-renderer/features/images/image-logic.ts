import type { ImageInfo } from '../../../src-main/api/contract';

/** Filtering and sorting of the Images page. Pure; unit-tested. */
export const IMAGE_SORT_KEYS = ['name', 'createdAt', 'virtualSize', 'actualSize', 'format'] as const;
export type ImageSortKey = (typeof IMAGE_SORT_KEYS)[number];

export interface ImageFilters {
  text: string;
  format: string;
  os: string;
  tag: string;
}

export function filterImages(images: readonly ImageInfo[], f: ImageFilters): ImageInfo[] {
  const needle = f.text.trim().toLowerCase();
  return images.filter(
    (i) =>
      (!f.format || i.format === f.format) &&
      (!f.os || i.os.family === f.os) &&
      (!f.tag || i.tags.includes(f.tag)) &&
      (!needle || [i.name, i.description, i.os.version, i.volumeLabel ?? '', i.sha256, ...i.tags].some((s) => s.toLowerCase().includes(needle))),
  );
}

export function sortImages(images: readonly ImageInfo[], key: ImageSortKey, descending: boolean): ImageInfo[] {
  const sign = descending ? -1 : 1;
  return [...images].sort((a, b) => {
    const va = a[key];
    const vb = b[key];
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true, sensitivity: 'base' });
    return c !== 0 ? c * sign : a.name.localeCompare(b.name);
  });
}

/** Every tag in use, for the tag filter. */
export function allTags(images: readonly ImageInfo[]): string[] {
  return [...new Set(images.flatMap((i) => i.tags))].sort();
}
