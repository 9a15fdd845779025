// 作业公示 (docs/homework-board.md; docs/openapi.yaml /homework-board, /public/homework):
// the teacher's daily entry and the school's links, and the no-login class page.
import { request, API } from '../../api.js';

const enc = encodeURIComponent;

export const boardApi = {
  classes: (schoolId) => request('GET', '/homework-board/classes', { query: { school_id: schoolId } }),
  entries: (classId, from, to) => request('GET', `/homework-board/classes/${enc(classId)}/entries`, { query: { from, to } }),
  save: (classId, body) => request('POST', `/homework-board/classes/${enc(classId)}/entries`, { body }),
  remove: (classId, entryId) => request('DELETE', `/homework-board/classes/${enc(classId)}/entries/${enc(entryId)}`),
  rotate: (classId) => request('POST', `/homework-board/classes/${enc(classId)}/link`),
  setTeachers: (classId, teachers) => request('PUT', `/homework-board/classes/${enc(classId)}/teachers`, { body: { teachers } }),
  publicPage: (token, date) => request('GET', `/public/homework/${enc(token)}`, { query: { date }, quiet401: true }),
};

export function qrSheetUrl(schoolId) {
  return `${API}/homework-board/qr-sheet${schoolId ? '?school_id=' + enc(schoolId) : ''}`;
}
export function qrSvgUrl(token) {
  return `${API}/public/homework/${enc(token)}/qr.svg`;
}

export const SUBJECTS = ['语文', '数学', '英语', '道德与法治', '历史', '地理', '物理', '化学', '生物', '科学', '其他'];

// Teachers enter for their classes, school staff for every class of the school.
export function canEnterBoard(user) {
  return !!user && (user.role === 'teacher' || user.role === 'school');
}
export function canManageLinks(user) {
  return !!user && user.role === 'school';
}
