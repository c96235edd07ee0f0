// A tiny static server for web/dist with the SPA fallback, forwarding /graphql and /auth
// to the lakecat API — what the e2e tests (and anyone without `vite preview`) use.
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

export function serveDist({ dist, api, port = 0 }) {
  const target = new URL(api);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/graphql' || url.pathname.startsWith('/auth/')) {
      const up = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
      return;
    }
    const path = normalize(url.pathname).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    let body;
    try {
      body = await readFile(file);
    } catch {
      file = join(dist, 'index.html');
      body = await readFile(file);
    }
    const immutable = file.includes('/assets/');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
