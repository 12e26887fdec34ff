import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pickLanguage } from '../../src-renderer/i18n/languages';
import { ROOT } from '../helpers/env';

/** The catalogues must be complete: every key in both languages, every key the code uses present. */
const I18N = path.join(ROOT, 'src-renderer', 'i18n');
const load = (lang: string) => JSON.parse(fs.readFileSync(path.join(I18N, `${lang}.json`), 'utf8')) as Record<string, unknown>;

function flatten(obj: Record<string, unknown>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v as Record<string, unknown>, key, out);
  }
  return out;
}

/** Plural forms differ by language (English: _one/_other; Chinese: _other only): compare base keys. */
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

const en = flatten(load('en'));
const zh = flatten(load('zh-CN'));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

describe('translations', () => {
  test('English and Simplified Chinese have the same keys', () => {
    const a = new Set([...en.keys()].map(base));
    const b = new Set([...zh.keys()].map(base));
    assert.deepEqual([...a].filter((k) => !b.has(k)), [], 'missing in zh-CN');
    assert.deepEqual([...b].filter((k) => !a.has(k)), [], 'missing in en');
  });

  test('no empty strings, and the same {{placeholders}} in both languages', () => {
    for (const [k, v] of [...en, ...zh]) assert.ok(v.trim().length > 0, k);
    const zhByBase = new Map([...zh].map(([k, v]) => [base(k), v]));
    for (const [k, v] of en) {
      const other = zhByBase.get(base(k));
      if (other !== undefined) assert.deepEqual(vars(other), vars(v), k);
    }
  });

  test('every literal key the renderer uses exists', () => {
    const known = new Set([...en.keys()].map(base));
    const missing: string[] = [];
    for (const file of sourceFiles(path.join(ROOT, 'src-renderer'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) if (!known.has(m[1]!)) missing.push(`${path.relative(ROOT, file)}: ${m[1]}`);
      for (const m of text.matchAll(/\b(?:key|action): '((?:validation|shortcuts)\.[a-zA-Z.]+)'/g)) if (!known.has(m[1]!)) missing.push(`${path.relative(ROOT, file)}: ${m[1]}`);
    }
    assert.deepEqual(missing, []);
  });

  test('keys built from enums exist for every value', () => {
    const need = [
      ...['stopped', 'starting', 'running', 'paused', 'stopping', 'crashed'].map((s) => `state.${s}`),
      ...['start', 'stop', 'kill', 'pause', 'resume', 'reset'].map((a) => `actions.failed.${a}`),
      ...['linux', 'windows', 'bsd', 'other'].map((f) => `os.family.${f}`),
      ...['name', 'media', 'hardware', 'disk', 'network', 'summary'].flatMap((s) => [`wizard.step.${s}`, `wizard.stepTitle.${s}`, `wizard.stepIntro.${s}`]),
      ...['console', 'performance', 'snapshots'].flatMap((tab) => [`details.soon.${tab}.title`, `details.soon.${tab}.text`]),
      ...['running', 'succeeded', 'failed', 'cancelled'].map((s) => `tasks.state.${s}`),
      ...['general', 'system', 'media', 'network'].map((s) => `settings.section.${s}`),
      'confirm.kill.title', 'confirm.reset.message', 'machine.q35', 'machine.pc', 'display.vnc', 'display.none', 'firmware.bios', 'firmware.uefi',
      'details.boot.disk', 'details.boot.cdrom', 'details.boot.network', 'os.variant.linux-other', 'os.variant.other',
      'network.hostAddress', 'network.hostPort', 'network.guestPort', 'list.sort.name', 'list.sort.state', 'list.sort.created',
      'preferences.themes.system', 'preferences.themes.light', 'preferences.themes.dark',
    ];
    const known = new Set([...en.keys()].map(base));
    assert.deepEqual(need.filter((k) => !known.has(k)), []);
  });

  test('the default language follows the browser', () => {
    assert.equal(pickLanguage(['zh-CN', 'en']), 'zh-CN');
    assert.equal(pickLanguage(['zh-TW']), 'zh-CN');
    assert.equal(pickLanguage(['en-GB']), 'en');
    assert.equal(pickLanguage(['fr-FR', 'de']), 'en');
    assert.equal(pickLanguage(['fr-FR', 'zh']), 'zh-CN');
    assert.equal(pickLanguage([]), 'en');
  });
});
