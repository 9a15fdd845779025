// One report-looping client for bench/server/pdf_isolation.sh: fetches a
// report back to back over one kept-alive connection, as a browser tab would,
// until STOP_FILE exists. One line per answer, "status seconds bytes cache"
// (cache: the X-Report-Cache header, or "-"), appended to OUT_FILE.
//
// Why not a shell loop around curl: a curl process per request costs the
// machine a fork, an exec and a library load — at 70+ answers/s that is most
// of a core on the two the server shares with the bench, and it showed up as
// the server's "isolation" cost. A remote browser costs the server nothing of
// the kind. Plain node:http, no packages.
//
//   node pdf-loop.mjs BASE_URL QUERY COOKIE OUT_FILE STOP_FILE [distinct N LOOPS]
//     distinct  request k of loop N (1-based, of LOOPS) asks for a period no
//               other request asks for: from 2025-01-01…28 × to 2025-12-01…31
//               (868 reports), so every answer is a fresh print.
import fs from 'node:fs';
import http from 'node:http';

const [base, query, cookie, outFile, stopFile, mode, loopText, loopsText] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const loop = Number(loopText || 1);
const loops = Number(loopsText || 1);
const baseQuery = query.replace(/(^|&)(from|to)=[^&]*/g, '').replace(/^&/, '');
const pad = (n) => String(n).padStart(2, '0');

function queryFor(k) {
  if (mode !== 'distinct') return query;
  const n = k * loops + loop - 1;
  return `${baseQuery}&from=2025-01-${pad(1 + (n % 28))}&to=2025-12-${pad(1 + (Math.floor(n / 28) % 31))}`;
}

function fetchOnce(q) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(`${base}/api/v1/reports/complaints?${q}`, { agent, headers: { Cookie: cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => {
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        resolve(`${res.statusCode} ${s.toFixed(6)} ${bytes} ${res.headers['x-report-cache'] || '-'}\n`);
      });
    });
    req.on('error', () => resolve(`000 ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(6)} 0 -\n`));
  });
}

for (let k = 0; !fs.existsSync(stopFile); k++) {
  fs.appendFileSync(outFile, await fetchOnce(queryFor(k)));
}
agent.destroy();
