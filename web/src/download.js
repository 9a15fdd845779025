// Downloads a file from the API (an XLSX export or template) through the same
// fetch wrapper as every other call: errors arrive as ApiError (the caller
// shows them), never as a saved JSON error page.
import { request } from './api.js';

export async function downloadFile(path, query, filename) {
  const blob = await request('GET', path, { query, blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
