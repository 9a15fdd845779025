// The "双随机、一公开" inspection draws (docs/ledgers.md): bureau routes and the no-login page data.
import { request } from '../../api.js';
import { BUREAU_ROLES } from '../../session.js';

const enc = encodeURIComponent;

export const drawsApi = {
  policy: () => request('GET', '/draws/policy'),
  list: () => request('GET', '/draws'),
  create: (body) => request('POST', '/draws', { body }),
  commit: (id) => request('POST', `/draws/${enc(id)}/commit`),
  draw: (id) => request('POST', `/draws/${enc(id)}/draw`),
  published: () => request('GET', '/public/inspections', { quiet401: true }),
};

// The document `edugov draw verify FILE` re-runs (a plain link: no login, a download).
export function inputsUrl(id) {
  return `/api/v1/public/inspections/${enc(id)}/inputs`;
}

// Only the bureau plans and draws (the server answers 403 to everyone else).
export function canRunDraws(user) {
  return !!user && BUREAU_ROLES.includes(user.role);
}
