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

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
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
