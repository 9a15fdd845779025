import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from './i18n.js';
import { onUnauthorized } from './api.js';
import { clearSession } from './session.js';
// Styles for Element Plus services used from script (components in templates get theirs on demand).
import 'element-plus/theme-chalk/base.css';
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import 'element-plus/es/components/loading/style/css';
import './style.css';

// Any 401 outside the login flow means the session ended: back to the login page.
onUnauthorized(() => {
  clearSession();
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: current.fullPath, expired: '1' } });
  }
});

createApp(App).use(i18n).use(router).mount('#app');
