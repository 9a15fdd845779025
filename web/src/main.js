import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from './i18n.js';
import { onUnauthorized, ApiError } from './api.js';
import { ElMessage } from 'element-plus';
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

// No page may swallow an API error: one a page did not catch itself is shown here, with the
// server's message (a 401 has already sent the user to the login page).
window.addEventListener('unhandledrejection', (ev) => {
  const e = ev.reason;
  if (e instanceof ApiError && e.status !== 401) {
    ElMessage.error({ message: e.message, grouping: true });
    ev.preventDefault();
  }
});

createApp(App).use(i18n).use(router).mount('#app');
