// The sanctions ledger from the outside: `edugov audit verify --ledger
// sanctions` passes on an intact chain and names the first edited, deleted,
// inserted or swapped entry after tampering behind edugov's back. The chain
// is written here by an independent implementation of docs/ledger-format.md
// (BLAKE2b-256 in plain JavaScript below), so the test also proves that the
// documented byte format is the one edugov checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { edugovBin, repoRoot } from '../lib/server.mjs';
import { freshDbUrl, sqlOn } from '../lib/db.mjs';

function edugov(args, { env = {} } = {}) {
  const r = spawnSync(edugovBin(), args, {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// --- BLAKE2b (RFC 7693), unkeyed, 32-byte output ---------------------------
const M64 = (1n << 64n) - 1n;
const IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const rotr = (x, n) => ((x >> BigInt(n)) | (x << BigInt(64 - n))) & M64;

function compress(h, block, t, last) {
  const m = [];
  for (let i = 0; i < 16; i++) {
    let w = 0n;
    for (let b = 7; b >= 0; b--) w = (w << 8n) | BigInt(block[i * 8 + b]);
    m.push(w);
  }
  const v = [...h, ...IV];
  v[12] ^= t & M64;
  v[13] ^= t >> 64n;
  if (last) v[14] ^= M64;
  const G = (a, b, c, d, x, y) => {
    v[a] = (v[a] + v[b] + x) & M64; v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = (v[c] + v[d]) & M64; v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = (v[a] + v[b] + y) & M64; v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = (v[c] + v[d]) & M64; v[b] = rotr(v[b] ^ v[c], 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]); G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]); G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]); G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]); G(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

function blake2b256(bytes) {
  const h = [...IV];
  h[0] ^= 0x01010000n ^ 32n;
  let t = 0n;
  let off = 0;
  while (bytes.length - off > 128) {
    t += 128n;
    compress(h, bytes.subarray(off, off + 128), t, false);
    off += 128;
  }
  const block = new Uint8Array(128);
  block.set(bytes.subarray(off));
  t += BigInt(bytes.length - off);
  compress(h, block, t, true);
  let hex = '';
  for (let i = 0; i < 4; i++) {
    for (let b = 0; b < 8; b++) hex += Number((h[i] >> BigInt(8 * b)) & 0xffn).toString(16).padStart(2, '0');
  }
  return hex;
}

test('the JavaScript BLAKE2b-256 matches the RFC 7693 / libsodium value for "abc"', () => {
  assert.equal(blake2b256(new TextEncoder().encode('abc')),
    'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  assert.equal(blake2b256(new Uint8Array(0)),
    '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
});

// --- docs/ledger-format.md, sanctions section ----------------------------
const GENESIS = '0'.repeat(64);
function field(x) {
  const b = Buffer.from(String(x), 'utf8');
  return Buffer.concat([Buffer.from(`${b.length}:`), b]);
}
function sanctionHash(prev, e) {
  const enc = Buffer.concat([e.seq, e.at_us, e.staff_id, e.org_id, e.org_path, e.case_id, e.measure,
    e.veto_year, e.reason, e.accountable_json, e.decided_by].map(field));
  return blake2b256(new Uint8Array(Buffer.concat([Buffer.from(prev + ':'), enc])));
}
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

function insertSql(e) {
  return 'INSERT INTO sanctions (seq, at_us, staff_id, org_id, org_path, case_id, measure, veto_year, '
    + 'reason, accountable_json, decided_by, prev_hash, hash) VALUES ('
    + [e.seq, e.at_us, e.staff_id, e.org_id, q(e.org_path), e.case_id, q(e.measure), e.veto_year,
      q(e.reason), q(e.accountable_json), q(e.decided_by), q(e.prev_hash), q(e.hash)].join(', ') + ')';
}

// Writes `n` chained entries and moves the head, as AppendSanction does.
async function writeChain(url, n) {
  const measures = ['notice_of_criticism', 'warning', 'demerit', 'post_demotion', 'transfer_out_of_town', 'removal'];
  let prev = GENESIS;
  const entries = [];
  for (let i = 1; i <= n; i++) {
    const e = {
      seq: i, at_us: 1_740_000_000_000_000 + i * 1_000_000, staff_id: 100 + i, org_id: 37,
      org_path: '/1/4/37/', case_id: i, measure: measures[(i - 1) % measures.length], veto_year: 2025,
      reason: `体罚学生(第 ${i} 案)`, accountable_json: '[{"staff_id":5,"role":"principal"}]',
      decided_by: 'juzhang', prev_hash: prev,
    };
    e.hash = sanctionHash(prev, e);
    prev = e.hash;
    entries.push(e);
    await sqlOn(url, insertSql(e));
  }
  await sqlOn(url, `UPDATE ledger_heads SET seq = ${n}, hash = ${q(prev)} WHERE ledger = 'sanctions'`);
  return entries;
}

async function migratedWithChain(n) {
  const db = await freshDbUrl();
  const m = edugov(['migrate', '--db', db.url]);
  assert.equal(m.code, 0, m.stderr);
  const entries = await writeChain(db.url, n);
  return { db, entries };
}

const EN = { LANG: 'en_US.UTF-8', LC_ALL: '' };
const ZH = { LANG: 'zh_CN.UTF-8', LC_ALL: '' };
const verify = (db, env = EN) => edugov(['audit', 'verify', '--ledger', 'sanctions', '--db', db.url], { env });

test('an intact sanctions chain written to the documented format verifies; audit verify still works', async () => {
  const { db } = await migratedWithChain(4);
  const ok = verify(db);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /sanctions chain intact, 4 entries/);
  const zh = verify(db, ZH);
  assert.match(zh.stdout, /处分台账完整,共 4 条/);
  const audit = edugov(['audit', 'verify', '--db', db.url], { env: EN });
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, /audit chain intact/);
  const bad = edugov(['audit', 'verify', '--ledger', 'nonesuch', '--db', db.url], { env: EN });
  assert.notEqual(bad.code, 0);
  await db.drop();
});

test('an edited field is named', async () => {
  const { db } = await migratedWithChain(4);
  await sqlOn(db.url, "UPDATE sanctions SET measure = 'notice_of_criticism' WHERE seq = 3");
  const r = verify(db);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /entry 3/);
  assert.match(r.stderr, /edited/);
  const zh = verify(db, ZH);
  assert.match(zh.stderr, /第 3 条/);
  assert.match(zh.stderr, /篡改/);
  await db.drop();
});

test('a deleted row and a deleted tail are named', async () => {
  const { db } = await migratedWithChain(4);
  await sqlOn(db.url, 'DELETE FROM sanctions WHERE seq = 2');
  const mid = verify(db);
  assert.equal(mid.code, 2);
  assert.match(mid.stderr, /entry 2/);
  assert.match(mid.stderr, /deleted/);
  await db.drop();

  const tail = await migratedWithChain(4);
  await sqlOn(tail.db.url, 'DELETE FROM sanctions WHERE seq = 4');
  const r = verify(tail.db);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /entry 4/);
  assert.match(r.stderr, /deleted/);
  await tail.db.drop();
});

test('two swapped entries and an inserted entry are named', async () => {
  const { db } = await migratedWithChain(4);
  await sqlOn(db.url, 'UPDATE sanctions SET seq = 100 WHERE seq = 2');
  await sqlOn(db.url, 'UPDATE sanctions SET seq = 2 WHERE seq = 3');
  await sqlOn(db.url, 'UPDATE sanctions SET seq = 3 WHERE seq = 100');
  const r = verify(db);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /entry 2/);
  assert.match(r.stderr, /reordered/);
  await db.drop();

  // A well-formed fifth entry slipped in without moving the head.
  const ins = await migratedWithChain(4);
  const last = ins.entries[3];
  const forged = { ...last, seq: 5, staff_id: 999, case_id: 99, prev_hash: last.hash };
  forged.hash = sanctionHash(last.hash, forged);
  await sqlOn(ins.db.url, insertSql(forged));
  const r2 = verify(ins.db);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /entry 5/);
  await ins.db.drop();
});
