// Teacher points (教师积分, docs/ledgers.md "Teacher points"): a teacher's own ledger and
// objections; the school's standings (totals, rank, eligibility with the one-vote veto).
import { request } from '../../api.js';

const enc = encodeURIComponent;

export const pointsApi = {
  policy: () => request('GET', '/points/policy'),
  mine: (year) => request('GET', '/points/me', { query: { year } }),
  standings: (year, orgId) => request('GET', '/points/standings', { query: { year, org_id: orgId } }),
  object: (seq, text) => request('POST', `/points/entries/${enc(seq)}/objections`, { body: { text } }),
};

// Teachers read their own ledger; schools, townships and the bureau the standings.
export function canSeePoints(user) {
  return !!user && ['teacher', 'school', 'township', 'bureau_leader', 'bureau_dept'].includes(user.role);
}

// The school year under way: September starts a new one (2025 = 2025–2026).
export function currentSchoolYear(now = new Date()) {
  return now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
}
