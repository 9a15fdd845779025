// Abusive clients for bench/server/abuse.sh (docs/benchmarks.md §3). wrk cannot
// trickle headers or count 413/429 answers, so this drives the abuse while wrk
// measures a normal read next to it. Plain node:net / node:http, no packages.
//
//   node abuse-driver.mjs MODE URL SECONDS [options as KEY=VALUE]
//     slowloris  conns=500 per_address=50 every_ms=1000
//                Each connection sends a request line and then one header line
//                every every_ms, never finishing; when the server cuts one it
//                is reopened, so `conns` stay open all along.
//     bigbody    clients=8 mib=10
//                Each client POSTs a `mib` MiB body to the public intake
//                (declared Content-Length, body really sent), reads the
//                answer (413 expected), and starts over.
//     flood      addresses=20 factor=10 per_hour=10
//                Each address POSTs factor×per_hour valid complaints to the
//                intake, evenly over SECONDS: 10× its per-address allowance,
//                so all but the first per_hour are answered 429.
//
// Clients bind 127.0.0.2 and up (all of 127/8 is loopback on Linux): to the
// server they are other hosts than wrk's 127.0.0.1, as real abusers would be.
// Prints one JSON line of counts when SECONDS are over, with the driver's own
// CPU seconds (it shares the machine with the server and wrk).
import http from 'node:http';
import net from 'node:net';

const [mode, url, secondsText, ...rest] = process.argv.slice(2);
const opts = Object.fromEntries(rest.map((kv) => kv.split('=')));
const num = (k, d) => (opts[k] === undefined ? d : Number(opts[k]));
const { hostname: host, port: portText } = new URL(url);
const port = Number(portText);
const seconds = Number(secondsText);
const deadline = Date.now() + seconds * 1000;
const counts = { mode };
const bump = (k, n = 1) => { counts[k] = (counts[k] ?? 0) + n; };
const sources = (i, per) => `127.0.0.${2 + Math.floor(i / per)}`;
const sockets = new Set();

function slowloris() {
  const conns = num('conns', 500), per = num('per_address', 50), every = num('every_ms', 1000);
  const open = (i) => {
    if (Date.now() >= deadline) return;
    const s = net.connect({ host, port, localAddress: sources(i, per) });
    sockets.add(s);
    let got = '';
    let timer;
    s.on('connect', () => {
      bump('opened');
      s.write('POST /api/v1/public/complaints HTTP/1.1\r\nHost: x\r\n');
      timer = setInterval(() => { s.write(`X-Trickle-${Date.now()}: a\r\n`); bump('header_lines'); }, every);
    });
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('error', () => {});  // counted at close
    s.on('close', () => {
      clearInterval(timer);
      sockets.delete(s);
      if (Date.now() >= deadline) return;
      if (got.startsWith('HTTP/1.1 503')) bump('refused_503');
      else if (got) bump(`answered_${got.slice(9, 12)}`);
      else bump('cut_by_server');
      setTimeout(() => open(i), 100);
    });
  };
  for (let i = 0; i < conns; ++i) open(i);
}

function bigbody() {
  const clients = num('clients', 8), mib = num('mib', 10);
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  const one = (i) => {
    if (Date.now() >= deadline) return;
    const s = net.connect({ host, port, localAddress: sources(i, 1) });
    sockets.add(s);
    let got = '';
    s.on('connect', async () => {
      s.write('POST /api/v1/public/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              `Content-Length: ${mib * 1024 * 1024}\r\n\r\n`);
      for (let m = 0; m < mib && !s.destroyed; ++m) {
        if (!s.write(chunk)) await new Promise((r) => { s.once('drain', r); s.once('close', r); });
        if (!s.destroyed) bump('mib_sent');
      }
    });
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.length >= 12) s.destroy();
    });
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      if (Date.now() >= deadline) return;
      bump(got.length >= 12 ? `status_${got.slice(9, 12)}` : 'no_answer');
      setImmediate(() => one(i));
    });
  };
  for (let i = 0; i < clients; ++i) one(i);
}

async function flood() {
  const addresses = num('addresses', 20), perAddress = num('factor', 10) * num('per_hour', 10);
  const form = await (await fetch(`${url}/api/v1/public/complaint-form`)).json();
  const category = form.categories[0].key;
  const schools = form.townships.flatMap((t) => t.schools);
  const gap = (seconds * 1000) / perAddress;
  const post = (a, n) => new Promise((resolve) => {
    const body = JSON.stringify({
      category, school_id: schools[(a * perAddress + n) % schools.length].id, anonymous: true,
      text: `压测投诉 ${a}-${n}:食堂饭菜不热,学生反映多次。 load test complaint ${a}-${n}`,
    });
    const start = process.hrtime.bigint();
    const req = http.request({ host, port, method: 'POST', path: '/api/v1/public/complaints',
      localAddress: `127.0.0.${2 + a}`, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        bump(`status_${res.statusCode}`);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        (counts.latencies ??= []).push(ms);
        resolve();
      });
    });
    req.on('error', () => { bump('errors'); resolve(); });
    req.end(body);
  });
  await Promise.all(Array.from({ length: addresses }, async (_, a) => {
    for (let n = 0; n < perAddress && Date.now() < deadline; ++n) {
      const next = Date.now() + gap;
      await post(a, n);
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }));
}

const modes = { slowloris, bigbody, flood };
if (!modes[mode]) {
  console.error(`abuse-driver: unknown mode ${mode} (want ${Object.keys(modes).join(', ')})`);
  process.exit(2);
}
const done = new Promise((r) => setTimeout(r, seconds * 1000));
await Promise.all([modes[mode](), done]);
for (const s of sockets) s.destroy();
if (counts.latencies) {
  const l = counts.latencies.sort((a, b) => a - b);
  counts.intake_p50_ms = +l[Math.floor(l.length * 0.5)].toFixed(2);
  counts.intake_p99_ms = +l[Math.min(l.length - 1, Math.floor(l.length * 0.99))].toFixed(2);
  delete counts.latencies;
}
const cpu = process.cpuUsage();
counts.driver_cpu_s = +((cpu.user + cpu.system) / 1e6).toFixed(1);
console.log(JSON.stringify(counts));
process.exit(0);
