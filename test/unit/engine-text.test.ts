import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import i18next from 'i18next';
import { ENGINE_MESSAGES, recognize, say, sayText, type EngineMessageCode } from '../../src-main/api/messages';
import { toApiError, HangarError } from '../../src-main/api/errors';
import { describeExit } from '../../src-main/qemu/supervisor';
import { engineText } from '../../src-renderer/i18n/engine-text';
import { formatDateTime } from '../../src-renderer/i18n/format';
import { ROOT } from '../helpers/env';

/** Engine sentences carry a code; the renderer says them in the UI's language (issue 12, item 6). */
const I18N = path.join(ROOT, 'src-renderer', 'i18n');
const load = (lang: string) => JSON.parse(fs.readFileSync(path.join(I18N, `${lang}.json`), 'utf8')) as { engine: Record<string, Record<string, string>> };
const en = load('en');
const zh = load('zh-CN');
const lookup = (cat: typeof en, code: string) => {
  const [group, name] = code.split('.') as [string, string];
  return cat.engine[group]?.[name];
};
const codes = Object.keys(ENGINE_MESSAGES) as EngineMessageCode[];
const placeholders = (s: string, re: RegExp) => [...s.matchAll(re)].map((m) => m[1]).sort();
/** Two English words in a row: an English sentence (or a piece of one) leaked into Chinese text. */
const ENGLISH_RUN = /[A-Za-z]{2,}[ ,.:;'"()]+[A-Za-z]{2,}/;

const sample = (code: EngineMessageCode) =>
  Object.fromEntries(placeholders(ENGINE_MESSAGES[code], /\{(\w+)\}/g).map((k) => [k!, k === 'count' || k === 'seconds' ? 3 : k === 'state' ? 'running' : `x-${k}`]));

describe('engine message codes', () => {
  before(async () => {
    await i18next.init({ resources: { en: { translation: en }, 'zh-CN': { translation: zh } }, lng: 'zh-CN', fallbackLng: 'en', interpolation: { escapeValue: false } });
  });

  test('every code has an English and a Chinese entry with the same parameters as the engine template', () => {
    for (const code of codes) {
      const want = placeholders(ENGINE_MESSAGES[code], /\{(\w+)\}/g);
      for (const cat of [en, zh]) {
        const s = lookup(cat, code);
        assert.ok(s, `engine.${code} missing`);
        assert.deepEqual(placeholders(s, /\{\{(\w+)\}\}/g), want, `engine.${code} placeholders`);
      }
    }
  });

  test('the renderer English is the engine English (one sentence for CLI, logs and UI)', () => {
    for (const code of codes) assert.equal(lookup(en, code)!.replace(/\{\{(\w+)\}\}/g, '{$1}'), ENGINE_MESSAGES[code], code);
  });

  test('every sentence is recognised back to its code and parameters', () => {
    for (const code of codes) {
      const params = sample(code);
      const got = recognize(say(code, params));
      assert.equal(got?.code, code, say(code, params));
      assert.deepEqual(Object.fromEntries(Object.entries(got?.params ?? {}).map(([k, v]) => [k, String(v)])), Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
    }
    assert.equal(recognize('qemu-system-x86_64: -drive: Could not open'), null);
  });

  test('errors crossing the API carry the code of a known sentence', () => {
    const shape = toApiError(new HangarError('QEMU_FAILED', describeExit(137)));
    assert.deepEqual(shape.text, { code: 'vm.killedBySignal', params: { signal: 'SIGKILL' } });
    assert.equal(shape.message, 'QEMU was killed by signal SIGKILL.');
    assert.equal(toApiError(new HangarError('INVALID_INPUT', 'Something else.')).text, undefined);
  });

  test('in Chinese, "Forced off." and the KVM notice (with its nested reason) have no English sentence left', async () => {
    await i18next.changeLanguage('zh-CN');
    const forced = engineText('Forced off.');
    assert.equal(forced, '已强制关机。');
    for (const reason of [say('kvm.noDevice'), say('kvm.tcgChosen')]) {
      const notice = sayText('kvm.unavailable', { reason });
      const zhText = engineText(notice.message, notice.text);
      assert.doesNotMatch(zhText, ENGLISH_RUN, zhText);
      assert.match(zhText, /KVM 不可用/);
    }
    const missed = engineText(say('schedule.missed', { count: 4, due: '2026-12-01T21:51:36.000Z', minutes: 15 }));
    assert.doesNotMatch(missed, ENGLISH_RUN, missed);
    assert.ok(missed.includes(formatDateTime('2026-12-01T21:51:36.000Z', undefined, 'zh-CN')), missed);
    const already = engineText(say('schedule.already', { vm: 'web', state: 'running' }));
    assert.equal(already, '“web”已处于运行中状态。'.replace('运行中', i18next.t('state.running')));
    // QEMU's own words stay as they are: nothing to translate them from
    assert.equal(engineText('qemu: could not open /x'), 'qemu: could not open /x');
  });

  test('in English, the sentence is the engine sentence', async () => {
    await i18next.changeLanguage('en');
    const notice = sayText('kvm.unavailable', { reason: say('kvm.noDevice') });
    assert.equal(engineText(notice.message, notice.text), 'KVM is not available (/dev/kvm does not exist (no hardware virtualisation, or the kvm module is not loaded)): VMs run under TCG emulation, which is much slower.');
    await i18next.changeLanguage('zh-CN');
  });

  test('dates follow the UI language, not the browser', () => {
    const iso = '2026-12-01T21:51:36.000Z';
    assert.match(formatDateTime(iso, { dateStyle: 'medium', timeZone: 'UTC' }, 'zh-CN'), /2026年12月1日/);
    assert.match(formatDateTime(iso, { dateStyle: 'medium', timeZone: 'UTC' }, 'en'), /Dec 1, 2026/);
  });
});
