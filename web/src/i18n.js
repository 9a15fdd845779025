import { createI18n } from 'vue-i18n';
import { computed } from 'vue';
import zhCN from './locales/zh-CN.js';
import en from './locales/en.js';
import casesZhCN from './locales/cases.zh-CN.js';
import casesEn from './locales/cases.en.js';
import complianceZhCN from './locales/compliance.zh-CN.js';
import complianceEn from './locales/compliance.en.js';
import drawsZhCN from './views/draws/draws.zh-CN.js';
import drawsEn from './views/draws/draws.en.js';
import pointsZhCN from './views/points/points.zh-CN.js';
import pointsEn from './views/points/points.en.js';
import boardZhCN from './views/homework/homework-board.zh-CN.js';
import boardEn from './views/homework/homework-board.en.js';
import epZhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import epEn from 'element-plus/es/locale/lang/en.mjs';

export const LANG_KEY = 'edugov.lang';
export const LANGS = ['zh-CN', 'en'];

function initialLang() {
  try {
    const saved = window.localStorage.getItem(LANG_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (_) {
    /* storage may be unavailable */
  }
  return 'zh-CN'; // zh-CN by default, whatever the browser says
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});
i18n.global.mergeLocaleMessage('zh-CN', casesZhCN); // closed-loop pages
i18n.global.mergeLocaleMessage('en', casesEn);
i18n.global.mergeLocaleMessage('zh-CN', complianceZhCN); // compliance pages
i18n.global.mergeLocaleMessage('en', complianceEn);
i18n.global.mergeLocaleMessage('zh-CN', drawsZhCN); // inspection draws
i18n.global.mergeLocaleMessage('en', drawsEn);
i18n.global.mergeLocaleMessage('zh-CN', pointsZhCN); // teacher points
i18n.global.mergeLocaleMessage('en', pointsEn);
i18n.global.mergeLocaleMessage('zh-CN', boardZhCN); // 作业公示
i18n.global.mergeLocaleMessage('en', boardEn);

export function currentLang() {
  return i18n.global.locale.value;
}

export function setLang(lang) {
  if (!LANGS.includes(lang)) return;
  i18n.global.locale.value = lang;
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch (_) {
    /* ignore */
  }
  document.documentElement.lang = lang;
}

// The Accept-Language header that matches the UI language; the server localises error messages by it.
export function acceptLanguage() {
  return currentLang() === 'en' ? 'en' : 'zh-CN,zh;q=0.9';
}

export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? epEn : epZhCn));

document.documentElement.lang = initialLang();
