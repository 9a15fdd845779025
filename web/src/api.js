// Thin fetch wrapper for the edugov JSON API (/api/v1).
// - sends Accept-Language matching the UI language on every request;
// - sends X-CSRF-Token on every non-GET request (from login/me, else the edugov_csrf cookie);
// - turns {"error":{"code","message","field"}} into an ApiError.
import { ElMessage } from 'element-plus';
import { acceptLanguage, i18n } from './i18n.js';

export const API = '/api/v1';

let csrfToken = '';
let unauthorizedHandler = null;

export function setCsrfToken(token) {
  csrfToken = token || '';
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

function csrfFromCookie() {
  const m = document.cookie.match(/(?:^|;\s*)edugov_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

// `contentType` sends `body` as is (a file's text) instead of as JSON; `blob` answers the
// response body as a Blob (downloads).
export async function request(method, path, { body, query, quiet401 = false, contentType, blob = false } = {}) {
  let url = API + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    }
    const s = qs.toString();
    if (s) url += (url.includes('?') ? '&' : '?') + s;
  }
  const headers = { Accept: 'application/json', 'Accept-Language': acceptLanguage() };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken || csrfFromCookie();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let payload;
  if (body !== undefined && contentType) {
    headers['Content-Type'] = contentType;
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'unavailable', i18n.global.t('app.networkError'));
  }
  if (res.status === 204) return null;
  if (blob && res.ok) return res.blob();
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (_) {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const e = new ApiError(res.status, err.code, err.message || `HTTP ${res.status} ${res.statusText}`, err.field);
    e.data = data; // the whole answer: a 409 may carry what it conflicts with
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler(e);
    throw e;
  }
  return data;
}

// Shows an API error the page cannot put inline (a dropdown's options, a side lookup) with
// the server's own message: no page swallows an API error. A 401 has already gone to login.
export function showApiError(e) {
  if (e && e.status === 401) return;
  ElMessage.error({ message: (e && e.message) || String(e), grouping: true, showClose: true });
}

export const api = {
  health: () => request('GET', '/health'),
  me: () => request('GET', '/me', { quiet401: true }),
  login: (username, password) =>
    request('POST', '/auth/login', { body: { username, password }, quiet401: true }),
  logout: () => request('POST', '/auth/logout', { quiet401: true }),
  org: (id) => request('GET', `/orgs/${encodeURIComponent(id)}`),
  children: (id) => request('GET', `/orgs/${encodeURIComponent(id)}/children`),
  overview: (id) => request('GET', `/orgs/${encodeURIComponent(id)}/overview`),
  classes: (id) => request('GET', `/orgs/${encodeURIComponent(id)}/classes`),
  staff: (id, offset, limit) =>
    request('GET', `/orgs/${encodeURIComponent(id)}/staff`, { query: { offset, limit } }),
  users: () => request('GET', '/users'),
  createUser: (u) => request('POST', '/users', { body: u }),
  disableUser: (id) => request('POST', `/users/${encodeURIComponent(id)}/disable`),
  audit: (before, limit) => request('GET', '/audit', { query: { before, limit } }),
  // Timetables (docs/timetable.md, "Web UI and API"); `type` is the upload's Content-Type.
  timetableCheck: (text, type, fileName) =>
    request('POST', '/timetable/check', { body: text, contentType: type, query: { file_name: fileName } }),
  timetableSolve: (text, type, query) =>
    request('POST', '/timetable/solve', { body: text, contentType: type, query }),
  timetableGenerate: (params) => request('POST', '/timetable/generate', { body: params }),
  timetableExport: (format, result) =>
    request('POST', '/timetable/export', { query: { format }, body: result, blob: true }),
};
