// The signed-in user, shared by the whole app.
import { reactive } from 'vue';
import { api, setCsrfToken } from './api.js';

export const session = reactive({
  loaded: false, // /me has been asked at least once
  user: null,
  demo: false,
  version: '',
});

export async function loadSession() {
  try {
    const data = await api.me();
    session.user = (data && data.user) || null;
    setCsrfToken(data && data.csrf_token);
  } catch (e) {
    if (e.status !== 401) console.warn('edugov: /me failed', e);
    session.user = null;
  }
  session.loaded = true;
  return session.user;
}

export async function login(username, password) {
  const data = await api.login(username, password);
  session.user = data.user;
  setCsrfToken(data.csrf_token);
  session.loaded = true;
  return data.user;
}

export async function logout() {
  try {
    await api.logout();
  } catch (e) {
    console.warn('edugov: logout failed', e);
  }
  clearSession();
}

export function clearSession() {
  session.user = null;
  setCsrfToken('');
}

export async function loadHealth() {
  try {
    const h = await api.health();
    session.demo = !!(h && h.demo === true);
    session.version = (h && h.version) || '';
  } catch (_) {
    session.demo = false;
  }
}

// ---- what a role may see -------------------------------------------------------------
export const BUREAU_ROLES = ['bureau_leader', 'bureau_dept'];
export const SCHOOL_ROLES = ['school', 'teacher', 'inspector'];

export function canSeeOverview(user) {
  return !!user && (BUREAU_ROLES.includes(user.role) || user.role === 'township');
}
export function canManageUsers(user) {
  return !!user && user.role === 'bureau_leader';
}
export function canSeeAudit(user) {
  if (!user) return false;
  if (user.role === 'bureau_leader') return true;
  return user.role === 'bureau_dept' && ['supervision', 'discipline'].includes(user.department);
}
// 课表 (timetables): bureau, township and school accounts (the API says the same).
export function canUseTimetables(user) {
  return !!user && (BUREAU_ROLES.includes(user.role) || ['township', 'school'].includes(user.role));
}
export function hasMyOrg(user) {
  return !!user && SCHOOL_ROLES.includes(user.role);
}

export function homeRoute(user) {
  if (!user) return { name: 'login' };
  if (canSeeOverview(user)) return { name: 'overview' };
  return { name: 'my-org' };
}
