// The compliance API (docs/openapi.yaml: /findings, /targets, /what-if, /datasets)
// and the role checks its pages share. `request` adds Accept-Language and CSRF.
import { request, API, ApiError } from '../../api.js';
import { acceptLanguage } from '../../i18n.js';
import { BUREAU_ROLES, SCHOOL_ROLES } from '../../session.js';

const enc = encodeURIComponent;

// POSTs `body` as `type` (a file's bytes, or a form row as JSON). Answers the body on
// 2xx and the import report on 422 (some rows rejected, the good ones landed) —
// api.js's request() throws on 422 without the body, so this one reads it itself.
async function sendReport(path, body, type, query) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const m = document.cookie.match(/(?:^|;\s*)edugov_csrf=([^;]*)/);
  const headers = { Accept: 'application/json', 'Content-Type': type, 'Accept-Language': acceptLanguage() };
  if (m) headers['X-CSRF-Token'] = decodeURIComponent(m[1]);
  const res = await fetch(`${API}${path}${qs.toString() ? '?' + qs : ''}`, {
    method: 'POST', headers, body, credentials: 'same-origin',
  });
  const data = await res.json().catch(() => null);
  if (res.ok || (res.status === 422 && data && Array.isArray(data.problems))) return data;
  const err = (data && data.error) || {};
  throw new ApiError(res.status, err.code, err.message || `HTTP ${res.status}`, err.field);
}

export const complianceApi = {
  findings: (query) => request('GET', '/findings', { query }),
  summary: (query) => request('GET', '/findings/summary', { query }),
  trend: (weeks, clause) => request('GET', '/findings/trend', { query: { weeks, clause } }),
  finding: (id) => request('GET', `/findings/${enc(id)}`),
  targets: () => request('GET', '/targets'),
  rules: () => request('GET', '/rules'),
  whatIf: (params) => request('POST', '/what-if', { body: { params } }),
  datasets: () => request('GET', '/datasets'),
  // 201/200 {row_id, updated, recheck}, or the 422 report {problems} of a rejected row.
  addRow: (dataset, row) => sendReport(`/datasets/${enc(dataset)}/rows`, JSON.stringify(row), 'application/json'),
  importFile: (dataset, body, type, query) => sendReport(`/datasets/${enc(dataset)}/import`, body, type, query),
  errorsUrl: (importId) => `${API}/imports/${enc(importId)}/errors.csv`,
  classes: (orgId) => request('GET', `/orgs/${enc(orgId)}/classes`),
  children: (orgId) => request('GET', `/orgs/${enc(orgId)}/children`),
  // 立即检查: a sweep job (202 started, 200 {joined: true} when one already runs).
  sweeps: () => request('GET', '/compliance/sweeps'),
  startSweep: () => request('POST', '/compliance/sweeps'),
  sweep: (id) => request('GET', `/compliance/sweeps/${enc(id)}`),
  cancelSweep: (id) => request('POST', `/compliance/sweeps/${enc(id)}/cancel`),
  // 发起整改: 201 {case: {id, ref}}; 409 (ApiError.data.case) when the finding has one already.
  openRectification: (findingId) => request('POST', `/findings/${enc(findingId)}/rectification`),
};

export const SWEEP_TERMINAL = ['succeeded', 'failed', 'cancelled'];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// Every signed-in user has findings of its own subtree (a school its own).
export function canSeeCompliance(user) {
  return !!user;
}
export function canRunWhatIf(user) {
  return !!user && BUREAU_ROLES.includes(user.role);
}
// Daily homework is recorded by a class's school: teachers, school and township accounts.
export function canEnterHomework(user) {
  return !!user && (SCHOOL_ROLES.includes(user.role) || user.role === 'township');
}
// 立即检查 and its cancel: the bureau only (the server answers 403 to anyone else).
export function canRunSweep(user) {
  return !!user && BUREAU_ROLES.includes(user.role);
}
// 发起整改 from a finding: the bureau, township and inspector accounts (and only where the
// finding says can_open_case).
export function canOpenRectification(user) {
  return !!user && (BUREAU_ROLES.includes(user.role) || ['township', 'inspector'].includes(user.role));
}
export function canImportData(user) {
  return !!user && user.role !== 'teacher';
}

// "measured OP threshold" for display: 150 > 90 (the norm is <= 90).
export function formatNumber(v) {
  if (v === null || v === undefined) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1 ? v.toFixed(3) : v.toFixed(1);
}
