// The closed-loop (cases) API and the helpers its pages share. The endpoints are the
// contract in docs/openapi.yaml ("cases"); `request` adds Accept-Language and CSRF.
import { request, API } from '../../api.js';
import { BUREAU_ROLES } from '../../session.js';

const enc = encodeURIComponent;

export const casesApi = {
  types: () => request('GET', '/case-types'),
  list: (query) => request('GET', '/cases', { query }),
  get: (id) => request('GET', `/cases/${enc(id)}`),
  open: (body) => request('POST', '/cases', { body }),
  transition: (id, body) => request('POST', `/cases/${enc(id)}/transitions`, { body }),
  attachmentUrl: (id, aid) => `${API}/cases/${enc(id)}/attachments/${enc(aid)}`,
  inbox: (unread) => request('GET', '/inbox', { query: { unread: unread ? 1 : undefined } }),
  markRead: (id) => request('POST', `/inbox/${enc(id)}/read`),
  report: (query) => request('GET', '/reports/complaints', { query: { ...query, format: 'json' } }),
  reportUrl: (query, format) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, format })) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    return `${API}/reports/complaints?${qs}`;
  },
  org: (orgId) => request('GET', `/orgs/${enc(orgId)}`),
  staffMember: (id) => request('GET', `/staff/${enc(id)}`),
  children: (orgId) => request('GET', `/orgs/${enc(orgId)}/children`),
  staff: (orgId) => request('GET', `/orgs/${enc(orgId)}/staff`, { query: { limit: 200 } }),
};

// Public pages: no login, no session; a 401 never happens here, so no redirect either.
export const publicApi = {
  form: () => request('GET', '/public/complaint-form', { quiet401: true }),
  submit: (body) => request('POST', '/public/complaints', { body, quiet401: true }),
  track: (code) => request('GET', `/public/complaints/${enc(code)}`, { quiet401: true }),
  rate: (code, body) => request('POST', `/public/complaints/${enc(code)}/rating`, { body, quiet401: true }),
  reopen: (code, body) => request('POST', `/public/complaints/${enc(code)}/reopen`, { body, quiet401: true }),
};

// ---- who sees what (the server checks the same; the menu only hides what would be refused) ----
export function canUseCases(user) {
  return !!user && user.role !== 'public';
}
export function canOpenCases(user) {
  return !!user && (BUREAU_ROLES.includes(user.role) || ['township', 'school'].includes(user.role));
}
export function canSeeComplaintReport(user) {
  return !!user && (BUREAU_ROLES.includes(user.role) || ['township', 'school'].includes(user.role));
}

// ---- labels -------------------------------------------------------------------------
// A bilingual {zh, en} label (or a plain string) in the UI language; en falls back to zh.
export function L(label, locale) {
  if (label === undefined || label === null) return '';
  if (typeof label === 'string') return label;
  if (locale === 'en') return label.en || label.zh || '';
  return label.zh || label.en || '';
}

export function indexTypes(items) {
  const map = {};
  for (const t of items || []) map[t.id] = t;
  return map;
}

// The enum field a type lists and reports by: the type's `category_field`, else `category`
// (complaints), `kind` (approvals), else the first enum field.
export function categoryField(type) {
  if (!type || !Array.isArray(type.fields)) return null;
  if (type.category_field) {
    const f = type.fields.find((x) => x.name === type.category_field);
    if (f) return f;
  }
  const enums = type.fields.filter((f) => f.type === 'enum' && Array.isArray(f.options) && f.options.length);
  return enums.find((f) => f.name === 'category') || enums.find((f) => f.name === 'kind') || enums[0] || null;
}

export function optionLabel(field, key, locale) {
  if (!field || !Array.isArray(field.options)) return key ?? '';
  const o = field.options.find((x) => x.key === key);
  return o ? L(o.label, locale) : key ?? '';
}

export function stateLabel(type, stateId, locale, fallback) {
  const s = type && Array.isArray(type.states) ? type.states.find((x) => x.id === stateId) : null;
  if (s) return L(s.label, locale);
  return fallback ? L(fallback, locale) : stateId || '';
}

export function transitionSpec(type, id) {
  return type && Array.isArray(type.transitions) ? type.transitions.find((x) => x.id === id) || null : null;
}

// ---- time --------------------------------------------------------------------------
// The API writes times as ISO-8601 with +08:00; the bureau reads them in Beijing time.
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(d);
  const g = (k) => (p.find((x) => x.type === k) || {}).value || '';
  return `${g('year')}-${g('month')}-${g('day')} ${g('hour') === '24' ? '00' : g('hour')}:${g('minute')}`;
}

export function fmtDate(iso) {
  return iso ? fmtTime(iso).slice(0, 10) : '—';
}

// Working days a case is late, as the server counts them (`overdue_working_days`, on the
// calendar that set the deadline — provisional years included, docs/calendar.md); null when
// the server could not count them (the calendar cannot answer those days): show the date.
// The browser keeps no calendar of its own: a bundled copy went stale every November.
export function workingDaysLate(c) {
  if (!c || !c.overdue) return 0;
  if (Number.isInteger(c.overdue_working_days)) return c.overdue_working_days;
  return null;
}

// Remaining time to a deadline: {late, days, hours} (calendar time; the deadline itself was set
// by the server in working days).
export function countdown(dueIso, now = new Date()) {
  if (!dueIso) return null;
  const due = new Date(dueIso);
  if (Number.isNaN(due.getTime())) return null;
  const ms = due.getTime() - now.getTime();
  const abs = Math.abs(ms);
  return { late: ms < 0, days: Math.floor(abs / 86400000), hours: Math.floor((abs % 86400000) / 3600000) };
}

// ---- files ---------------------------------------------------------------------------
// Reads a File as base64 (without the data: prefix) for the JSON upload
// {filename, content_base64}.
export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error || new Error('read failed'));
    r.onload = () => {
      const s = String(r.result || '');
      const i = s.indexOf(',');
      resolve(i >= 0 ? s.slice(i + 1) : s);
    };
    r.readAsDataURL(file);
  });
}

export async function filesToAttachments(files) {
  const out = [];
  for (const f of files) out.push({ filename: f.name, content_base64: await fileToBase64(f) });
  return out;
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// An actor of an event: {display_name|username|name} or a plain string.
export function actorName(a) {
  if (!a) return '';
  if (typeof a === 'string') return a;
  return a.display_name || a.name || a.username || (a.role ? a.role : '');
}
