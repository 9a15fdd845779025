// Behind nginx (README, "Behind nginx"): `--public-url https://…` marks the
// session cookies Secure, and X-Forwarded-For is believed from the trusted
// proxy only — a real server, a real sign-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer({
    cases: false,
    serveArgs: ['--public-url', 'https://edu.example.gov.cn', '--trusted-proxy', '127.0.0.1'],
  });
});
after(async () => { await srv?.stop(); });

async function login(headers = {}, password = 'Edugov@2025') {
  return fetch(`${srv.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'juzhang', password }),
  });
}

test('--public-url https://… marks the session and CSRF cookies Secure', async () => {
  const res = await login();
  assert.equal(res.status, 200);
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.length >= 2, cookies.join('\n'));
  for (const c of cookies) assert.match(c, /;\s*Secure/i, c);
});

test('the sign-in audit names the client nginx saw, not the proxy and not what the client wrote', async () => {
  const res = await login({ 'X-Forwarded-For': '6.6.6.6, 203.0.113.9' });
  assert.equal(res.status, 200);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const audit = await (await fetch(`${srv.url}/api/v1/audit?limit=50`, { headers: { Cookie: cookie } })).json();
  const logins = audit.items.filter((a) => a.action === 'user.login');
  assert.ok(logins.length > 0, JSON.stringify(audit).slice(0, 500));
  const text = JSON.stringify(logins);
  assert.ok(text.includes('203.0.113.9'), `the sign-in is recorded from 203.0.113.9: ${text.slice(0, 500)}`);
  assert.ok(!text.includes('6.6.6.6'), 'the address the client wrote itself is never believed');
});
