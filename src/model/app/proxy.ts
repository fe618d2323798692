/**
 * Reverse-proxy configuration that compose bind-mounts into a service: which URL prefixes are
 * served straight from a directory. Only what decides where files are read from is parsed:
 *
 * - nginx: `location [=|^~] /prefix/ { alias DIR; }` maps the prefix onto DIR; `root DIR;` (in the
 *   location, else inherited from `server`/`http`) serves DIR + the whole URI
 *   (https://nginx.org/en/docs/http/ngx_http_core_module.html#alias, #root). Regex locations,
 *   named locations and `include`d files are not followed.
 * - Caddy: `handle_path /prefix/* { root * DIR; file_server }` strips the prefix (like alias);
 *   `handle /prefix/* { ... }` and a site-level `root * DIR` + `file_server` keep the URI (like
 *   root) (https://caddyserver.com/docs/caddyfile/directives/handle_path, .../root, .../file_server).
 *   Named matchers are not followed.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { EnvironmentModel, Mount, RepoTree } from '../types.js';
import type { ProxyConfig, ProxyRoute } from './runtime-types.js';

const MAX_FILES = 20;

/** The proxy configurations every environment's services bind-mount. */
export function readProxies(environments: readonly EnvironmentModel[], tree: Pick<RepoTree, 'files' | 'dirs'>, read: (path: string) => SourceFile | undefined): ProxyConfig[] {
  const out: ProxyConfig[] = [];
  for (const env of environments)
    for (const svc of env.services) {
      if (!svc.enabled) continue;
      for (const server of ['nginx', 'caddy'] as const) {
        const files = configFiles(svc.mounts, server, tree);
        if (!files.length) continue;
        const routes: ProxyRoute[] = [];
        const used: string[] = [];
        for (const f of files) {
          const src = read(f);
          if (!src) continue;
          used.push(f);
          routes.push(...(server === 'nginx' ? nginxRoutes(src) : caddyRoutes(src)));
        }
        if (used.length) out.push({ environment: env.name, service: svc.name, server, files: used, routes });
      }
    }
  return out;
}

function configFiles(mounts: readonly Mount[], server: 'nginx' | 'caddy', tree: Pick<RepoTree, 'files' | 'dirs'>): string[] {
  const root = server === 'nginx' ? '/etc/nginx' : '/etc/caddy';
  const out: string[] = [];
  for (const m of mounts) {
    if (m.type !== 'bind' || m.hostPath === undefined || m.hostPath.startsWith('/') || m.hostPath.startsWith('..')) continue;
    const t = posix.normalize(m.target);
    if (t !== root && !t.startsWith(`${root}/`)) continue;
    if (tree.files.has(m.hostPath)) out.push(m.hostPath);
    else if (tree.dirs.has(m.hostPath)) {
      const prefix = m.hostPath ? `${m.hostPath}/` : '';
      for (const f of tree.files) {
        if (!f.startsWith(prefix)) continue;
        if (server === 'nginx' ? f.endsWith('.conf') : /(?:^|\/)Caddyfile[^/]*$/.test(f)) out.push(f);
        if (out.length >= MAX_FILES) break;
      }
    }
  }
  return [...new Set(out)].sort();
}

// ------------------------------------------------------------------ nginx

interface Tok {
  v: string;
  s: number;
  e: number;
  quoted: boolean;
}

function nginxTokens(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '{' || c === '}' || c === ';') {
      out.push({ v: c, s: i, e: i + 1, quoted: false });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        v += text[j] ?? '';
        j++;
      }
      out.push({ v, s: i, e: Math.min(j + 1, text.length), quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s{};]/.test(text[j]!)) j++;
    out.push({ v: text.slice(i, j), s: i, e: j, quoted: false });
    i = j;
  }
  return out;
}

interface Block {
  name: string;
  args: string[];
  root?: { dir: string; loc: Location };
  alias?: { dir: string; loc: Location };
  proxied: boolean;
}

export function nginxRoutes(src: SourceFile): ProxyRoute[] {
  const toks = nginxTokens(src.text);
  const out: ProxyRoute[] = [];
  const stack: Block[] = [{ name: 'main', args: [], proxied: false }];
  let stmt: Tok[] = [];
  const inheritedRoot = (): Block['root'] => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.root) return stack[i]!.root;
    return undefined;
  };
  for (const t of toks) {
    if (!t.quoted && t.v === '{') {
      const [head, ...args] = stmt.map((x) => x.v);
      stack.push({ name: head ?? '', args, proxied: false });
      stmt = [];
    } else if (!t.quoted && t.v === '}') {
      const b = stack.pop();
      stmt = [];
      if (!b || stack.length === 0) {
        stack.push({ name: 'main', args: [], proxied: false });
        continue;
      }
      if (b.name !== 'location') continue;
      const prefix = b.args.length === 1 ? b.args[0]! : b.args.length === 2 && (b.args[0] === '^~' || b.args[0] === '=') ? b.args[1]! : undefined;
      if (!prefix || !prefix.startsWith('/')) continue;
      if (b.alias) out.push({ prefix, mode: 'alias', dir: b.alias.dir, loc: b.alias.loc });
      else if (!b.proxied) {
        const r = b.root ?? inheritedRoot();
        if (r) out.push({ prefix, mode: 'root', dir: r.dir, loc: r.loc });
      }
    } else if (!t.quoted && t.v === ';') {
      const [head, arg] = stmt;
      const top = stack[stack.length - 1]!;
      if (head && arg && !arg.v.includes('$')) {
        const loc = src.location(head.s, arg.e);
        if (head.v === 'root') top.root = { dir: arg.v, loc };
        else if (head.v === 'alias') top.alias = { dir: arg.v, loc };
      }
      if (head && /^(?:proxy_pass|uwsgi_pass|fastcgi_pass|grpc_pass|scgi_pass|return)$/.test(head.v)) top.proxied = true;
      stmt = [];
    } else stmt.push(t);
  }
  return out;
}

// ------------------------------------------------------------------ Caddy

export function caddyRoutes(src: SourceFile): ProxyRoute[] {
  const out: ProxyRoute[] = [];
  const lines = src.text.split('\n');
  interface CBlock {
    kind: 'site' | 'handle' | 'handle_path' | 'other';
    prefix?: string;
    root?: { dir: string; loc: Location };
    fileServer: boolean;
  }
  const stack: CBlock[] = [];
  let offset = 0;
  for (const raw of lines) {
    const line = raw.replace(/#.*$/, '').trim();
    const start = offset + raw.indexOf(line);
    offset += raw.length + 1;
    if (!line) continue;
    if (line === '}') {
      const b = stack.pop();
      if (b && b.root && b.fileServer) {
        if ((b.kind === 'handle' || b.kind === 'handle_path') && b.prefix) out.push({ prefix: b.prefix, mode: b.kind === 'handle_path' ? 'alias' : 'root', dir: b.root.dir, loc: b.root.loc });
        else if (b.kind === 'site') out.push({ prefix: '/', mode: 'root', dir: b.root.dir, loc: b.root.loc });
      }
      continue;
    }
    const words = line.split(/\s+/);
    if (line.endsWith('{')) {
      const head = words[0]!;
      const m = words.length === 3 && /^\/[^*]*\*?$/.test(words[1]!) ? words[1]!.replace(/\*$/, '') : undefined;
      if (stack.length === 0) stack.push({ kind: 'site', fileServer: false });
      else if ((head === 'handle' || head === 'handle_path') && m) stack.push({ kind: head, prefix: m, fileServer: false });
      else stack.push({ kind: 'other', fileServer: false });
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) continue;
    if (words[0] === 'root') {
      const dir = words.length >= 3 ? words[2]! : words[1];
      if (dir && dir.startsWith('/') && !dir.includes('{')) top.root = { dir, loc: src.location(start, start + line.length) };
    } else if (words[0] === 'file_server') top.fileServer = true;
  }
  return out;
}

/** The directory a route reads for a URL path under its prefix ('' when the URL is the prefix). */
export function routeDir(route: ProxyRoute): string {
  if (route.mode === 'alias') return posix.normalize(route.dir).replace(/(.)\/$/, '$1');
  return posix.join(route.dir, route.prefix).replace(/(.)\/$/, '$1');
}
