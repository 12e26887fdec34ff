import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** The image library's methods (contract/images.ts) → ImageService. */
export function imageHandlers(e: Engine) {
  return {
    'image.list': async () => e.images.list(),
    'image.get': async (i) => e.images.get(i.image),
    'image.import': async (i) => e.images.startImport(i),
    'image.download': async (i) => e.images.startDownload(i),
    'image.update': async (i) => e.images.update(i),
    'image.verify': async (i) => e.images.startVerify(i.image),
    'image.delete': async (i) => e.images.delete(i.image, i.confirm),
  } satisfies Partial<Handlers>;
}
