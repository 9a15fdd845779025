// A small .xlsx reader and filler for the tests (no dependency): unzip with
// node:zlib, read a worksheet's cells (shared and inline strings), and fill a
// workbook the server produced — its first sheet's rows replaced by ours as
// inline strings, everything else (validations, comments, other sheets) kept —
// then zip it again. Enough for "download the template, fill it, upload it"
// and "open the export, check header and rows".
import { inflateRawSync, deflateRawSync } from 'node:zlib';

// ------------------------------------------------------------ zip

export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + csize);
    files.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBuf = Buffer.from(name, 'utf8');
    const data = deflateRawSync(content);
    const crc = crc32(content);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt16LE(8, 8); lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(content.length, 22); lh.writeUInt16LE(nameBuf.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8); ch.writeUInt16LE(8, 10); ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20); ch.writeUInt32LE(content.length, 24);
    ch.writeUInt16LE(nameBuf.length, 28); ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameBuf, data);
    central.push(ch, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.size, 8); end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// ------------------------------------------------------------ sheets

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function texts(xml) {
  return [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t\/>/g)].map((m) => unescape(m[1] || '')).join('');
}

// The sheets of a workbook: [{ name, path, hidden }] in workbook order.
export function sheets(files) {
  const wb = files.get('xl/workbook.xml').toString('utf8');
  const rels = files.get('xl/_rels/workbook.xml.rels').toString('utf8');
  const target = {};
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /Id="([^"]+)"/.exec(m[0])[1];
    target[id] = /Target="([^"]+)"/.exec(m[0])[1].replace(/^\/?(xl\/)?/, 'xl/');
  }
  return [...wb.matchAll(/<sheet\b[^>]*>/g)].map((m) => ({
    name: unescape(/name="([^"]*)"/.exec(m[0])[1]),
    path: target[/r:id="([^"]+)"/.exec(m[0])[1]],
    hidden: /state="hidden"/.test(m[0]),
  }));
}

function columnIndex(ref) {
  let n = 0;
  for (const ch of /^[A-Z]+/.exec(ref)[0]) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

// The rows of a sheet (by name, or the first) as arrays of strings; blank
// cells are ''. Numbers are their stored text.
export function readSheet(buf, sheetName) {
  const files = buf instanceof Map ? buf : unzip(buf);
  const list = sheets(files);
  const sheet = sheetName ? list.find((s) => s.name === sheetName) : list[0];
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const shared = files.has('xl/sharedStrings.xml')
    ? [...files.get('xl/sharedStrings.xml').toString('utf8').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]))
    : [];
  const xml = files.get(sheet.path).toString('utf8');
  const rows = [];
  for (const r of xml.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const cells = [];
    for (const c of (r[1] || '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = /r="([A-Z]+)\d+"/.exec(c[1])[1];
      const type = (/t="([^"]+)"/.exec(c[1]) || [])[1];
      const body = c[2] || '';
      const v = (/<v>([\s\S]*?)<\/v>/.exec(body) || [])[1];
      let text = '';
      if (type === 's') text = shared[Number(v)];
      else if (type === 'inlineStr') text = texts(body);
      else if (v !== undefined) text = unescape(v);
      cells[columnIndex(ref)] = text;
    }
    rows.push(Array.from(cells, (x) => x ?? ''));
  }
  return rows;
}

// Raw XML of a sheet (by name, or the first): to look for dataValidations.
export function sheetXml(buf, sheetName) {
  const files = buf instanceof Map ? buf : unzip(buf);
  const list = sheets(files);
  const sheet = sheetName ? list.find((s) => s.name === sheetName) : list[0];
  return files.get(sheet.path).toString('utf8');
}

function letters(i) {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// The workbook with its first sheet's rows replaced by `rows` (arrays of
// strings, the header included) written as inline strings.
export function fillFirstSheet(buf, rows) {
  const files = unzip(buf);
  const sheet = sheets(files)[0];
  const xml = files.get(sheet.path).toString('utf8');
  const data = rows.map((row, r) => `<row r="${r + 1}">` + row.map((v, c) => (v === '' || v == null ? ''
    : `<c r="${letters(c)}${r + 1}" t="inlineStr"><is><t>${escape(v)}</t></is></c>`)).join('') + '</row>').join('');
  const filled = xml.replace(/<sheetData\s*\/>|<sheetData>[\s\S]*?<\/sheetData>/, `<sheetData>${data}</sheetData>`);
  files.set(sheet.path, Buffer.from(filled, 'utf8'));
  return zip(files);
}
