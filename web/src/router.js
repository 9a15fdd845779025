import { createRouter, createWebHistory } from 'vue-router';
import {
  session,
  loadSession,
  homeRoute,
  canSeeOverview,
  canManageUsers,
  canSeeAudit,
  canUseTimetables,
} from './session.js';

const LoginView = () => import('./views/LoginView.vue');
const LayoutView = () => import('./views/LayoutView.vue');
const OverviewView = () => import('./views/OverviewView.vue');
const OrgView = () => import('./views/OrgView.vue');
const UsersView = () => import('./views/UsersView.vue');
const AuditView = () => import('./views/AuditView.vue');
const TimetableView = () => import('./views/TimetableView.vue');
const ErrorView = () => import('./views/ErrorView.vue');
// Closed loops: cases, inbox, complaint report; the public complaint pages need no login.
const CaseListView = () => import('./views/cases/CaseListView.vue');
const CaseView = () => import('./views/cases/CaseView.vue');
const CaseNewView = () => import('./views/cases/CaseNewView.vue');
const InboxView = () => import('./views/cases/InboxView.vue');
const ComplaintReportView = () => import('./views/cases/ComplaintReportView.vue');
const ComplaintFormView = () => import('./views/public/ComplaintFormView.vue');
const TrackView = () => import('./views/public/TrackView.vue');
import { canUseCases, canOpenCases, canSeeComplaintReport } from './views/cases/casesApi.js';
// Compliance: dashboard, findings, target board, homework entry, data import.
const ComplianceView = () => import('./views/compliance/ComplianceView.vue');
const FindingView = () => import('./views/compliance/FindingView.vue');
const TargetsView = () => import('./views/compliance/TargetsView.vue');
const HomeworkEntryView = () => import('./views/compliance/HomeworkEntryView.vue');
const ImportView = () => import('./views/compliance/ImportView.vue');
import { canSeeCompliance, canEnterHomework, canImportData } from './views/compliance/complianceApi.js';
// "双随机、一公开" inspection draws: the bureau's page and the public results page.
const DrawsView = () => import('./views/draws/DrawsView.vue');
const PublicInspectionsView = () => import('./views/draws/PublicInspectionsView.vue');
import { canRunDraws } from './views/draws/drawsApi.js';
// Teacher points (教师积分): a teacher's own ledger, a school's standings.
const PointsView = () => import('./views/points/PointsView.vue');
import { canSeePoints } from './views/points/pointsApi.js';
// 作业公示: the teacher's daily entry and the class page parents open by QR code (no login).
const BoardEntryView = () => import('./views/homework/BoardEntryView.vue');
const PublicClassView = () => import('./views/homework/PublicClassView.vue');
import { canEnterBoard } from './views/homework/homeworkBoardApi.js';

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/public/complaint', name: 'public-complaint', component: ComplaintFormView, meta: { public: true } },
  { path: '/public/track', name: 'public-track', component: TrackView, meta: { public: true } },
  { path: '/public/inspections', name: 'public-inspections', component: PublicInspectionsView, meta: { public: true } },
  { path: '/public/homework/:token', name: 'public-homework', component: PublicClassView, meta: { public: true } },
  {
    path: '/',
    component: LayoutView,
    children: [
      { path: '', name: 'home', redirect: () => homeRoute(session.user) },
      { path: 'overview', name: 'overview', component: OverviewView, meta: { allow: canSeeOverview, menu: 'overview' } },
      { path: 'my-org', name: 'my-org', component: OrgView, meta: { menu: 'my-org' } },
      { path: 'orgs', name: 'orgs-root', redirect: () => ({ name: 'org', params: { id: String(session.user.org_id) } }) },
      { path: 'orgs/:id', name: 'org', component: OrgView, meta: { menu: 'orgs' } },
      { path: 'users', name: 'users', component: UsersView, meta: { allow: canManageUsers, menu: 'users' } },
      { path: 'audit', name: 'audit', component: AuditView, meta: { allow: canSeeAudit, menu: 'audit' } },
      { path: 'timetable', name: 'timetable', component: TimetableView, meta: { allow: canUseTimetables, menu: 'timetable' } },
      { path: 'cases', name: 'cases', component: CaseListView, meta: { allow: canUseCases, menu: 'cases' } },
      { path: 'cases/new', name: 'case-new', component: CaseNewView, meta: { allow: canOpenCases, menu: 'case-new' } },
      { path: 'cases/:id(\\d+)', name: 'case', component: CaseView, meta: { allow: canUseCases, menu: 'cases' } },
      { path: 'inbox', name: 'inbox', component: InboxView, meta: { allow: canUseCases, menu: 'inbox' } },
      { path: 'reports/complaints', name: 'complaint-report', component: ComplaintReportView, meta: { allow: canSeeComplaintReport, menu: 'complaint-report' } },
      { path: 'compliance', name: 'compliance', component: ComplianceView, meta: { allow: canSeeCompliance, menu: 'compliance' } },
      { path: 'compliance/findings/:id(\\d+)', name: 'finding', component: FindingView, meta: { allow: canSeeCompliance, menu: 'compliance' } },
      { path: 'targets', name: 'targets', component: TargetsView, meta: { allow: canSeeCompliance, menu: 'targets' } },
      { path: 'homework', name: 'homework-entry', component: HomeworkEntryView, meta: { allow: canEnterHomework, menu: 'homework-entry' } },
      { path: 'homework-board', name: 'homework-board', component: BoardEntryView, meta: { allow: canEnterBoard, menu: 'homework-board' } },
      { path: 'import', name: 'data-import', component: ImportView, meta: { allow: canImportData, menu: 'data-import' } },
      { path: 'draws', name: 'draws', component: DrawsView, meta: { allow: canRunDraws, menu: 'draws' } },
      { path: 'points', name: 'points', component: PointsView, meta: { allow: canSeePoints, menu: 'points' } },
      { path: 'forbidden', name: 'forbidden', component: ErrorView, props: { kind: 'forbidden' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: ErrorView, props: { kind: 'not-found' } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return homeRoute(session.user);
    return true;
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  for (const r of to.matched) {
    if (typeof r.meta.allow === 'function' && !r.meta.allow(session.user)) {
      return { name: 'forbidden' };
    }
  }
  return true;
});
