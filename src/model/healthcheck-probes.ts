/**
 * What an HTTP healthcheck asks: the URL it requests and how the tool turns the answer into an
 * exit status: a model query for the health rules.
 *
 * Tool behaviour (checked against the tools themselves, curl 7.88, GNU Wget 1.21, BusyBox 1.35,
 * CPython 3.9-3.12):
 * - curl exits 0 for any HTTP answer, 404 included, unless `-f`/`--fail`/`--fail-with-body` (then
 *   22 for a status >= 400; 3xx is success, followed only with `-L`); a refused connection is 7.
 * - wget (GNU and BusyBox) fails on a status >= 400 (GNU 8, BusyBox 1) and follows redirects;
 *   GNU `--spider` sends HEAD.
 * - `urllib.request.urlopen` raises HTTPError for a status >= 400 and follows 301/302/303/307, and
 *   308 from Python 3.11 on; the uncaught exception exits 1. `requests`/`httpx` only raise on an
 *   error status with `raise_for_status()`.
 * - `nc -z host port` only opens the connection.
 * Docker runs a `CMD` test as an argv (no variable expansion) and a `CMD-SHELL` test with
 * `/bin/sh -c`; any non-zero exit counts as a failed check.
 */
import { expandWord } from './start/shell-expand.js';
import type { ShellCommand, ShellRedirect, ShellWord } from '../parse/shell/types.js';

export type ProbeTool = 'curl' | 'wget' | 'python-urllib' | 'python-requests' | 'python-httpx' | 'node' | 'nc';

export interface Probe {
  tool: ProbeTool;
  /** the command as the user reads it */
  shown: string;
  /** the URL (or `host port` for nc) as written in the healthcheck, to find it in the file */
  written?: string;
  scheme: 'http' | 'https';
  /** undefined when it holds a variable drydock cannot resolve */
  host?: string;
  port?: number;
  /** the URL's path (with query), undefined for nc or when unknown */
  path?: string;
  /** an HTTP status >= 400 makes the check fail */
  failsOnHttpError: boolean;
  /** a refused connection makes the check fail */
  failsOnConnect: boolean;
  /** the method sent, when certain (`GET`, `HEAD`, `POST`) */
  method?: string;
  /** how the tool fails on an HTTP error status: `curl -f exits 22` */
  failure: string;
  /** how the tool fails when the connection is refused: `curl exits 7` */
  connectFailure: string;
}

export interface ProbeParse {
  /** every probe of the check, each of which must succeed for the check to pass */
  probes: Probe[];
  /** false when the check's shape is not one drydock reads (pipes, `;`, `||` other than `|| exit 1`) */
  understood: boolean;
}

type Lookup = (name: string) => string | undefined;

const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', 'ip6-localhost', 'ip6-loopback']);

export function isLocalHost(h: string | undefined): boolean {
  if (h === undefined) return false;
  const x = h.replace(/^\[|\]$/g, '').toLowerCase();
  return LOCAL.has(x) || /^127\.\d+\.\d+\.\d+$/.test(x);
}

const NOT_UNDERSTOOD: ProbeParse = { probes: [], understood: false };

/**
 * Probes of a healthcheck: `test` (`['CMD', ...]` or `['CMD-SHELL', text]`) and the commands the
 * model parsed from it (Healthcheck.commands / ImageHealthcheck.commands).
 */
export function parseProbes(test: readonly string[], commands: readonly ShellCommand[] | undefined, lookup: Lookup): ProbeParse {
  if (!commands?.length) return NOT_UNDERSTOOD;
  if (test[0] === 'CMD') {
    const argv = commands[0]!;
    const b = base(argv.name);
    // `["CMD", "sh", "-c", "..."]`: the string is the check (argvCommands parsed it as string 1)
    if (/^(?:ba|da|a)?sh$/.test(b) && argv.args[0]?.text === '-c' && argv.args[1] !== undefined) return shell(commands.filter((c) => c.context.shellString === 1), lookup);
    // no shell: the words are what the program receives
    const p = command([argv.nameWord!, ...argv.args].map((w) => ({ text: w.text, known: !w.text.includes('$'), raw: w.text })));
    return p === 'not-understood' ? NOT_UNDERSTOOD : { probes: p ? [p] : [], understood: true };
  }
  if (test[0] === 'CMD-SHELL') return shell(commands.filter((c) => c.context.shellString === undefined), lookup);
  return NOT_UNDERSTOOD;
}

interface Word {
  text: string;
  known: boolean;
  /** as written (quotes kept) */
  raw: string;
}

/** Output redirections that do not change the exit status: `>/dev/null`, `2>&1`, `&>/dev/null`. */
function harmless(r: ShellRedirect): boolean {
  if (r.fd !== undefined && r.fd !== 1 && r.fd !== 2) return false;
  const t = r.target?.text;
  if (r.op === '>&') return t === '1' || t === '2';
  return (r.op === '>' || r.op === '>>' || (r.op === '&>' && r.fd === undefined)) && t === '/dev/null';
}

/**
 * The commands of one shell text (the top level of a CMD-SHELL string or of a `sh -c` string):
 * a plain `&&` list of simple commands, optionally ending in `|| exit 1` / `|| exit` / `|| false`.
 */
function shell(commands: readonly ShellCommand[], lookup: Lookup): ProbeParse {
  const probes: Probe[] = [];
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    // `$( )`, backticks, compound commands, `;`, `|`, `&`, `!`, redirections we do not read
    const joined = c.context.joinedBy;
    if (c.context.subshell || c.context.background || c.context.negated || !joined) return NOT_UNDERSTOOD;
    if (!(i === 0 ? joined === ';' : joined === '&&' || joined === '||')) return NOT_UNDERSTOOD;
    if (!(c.redirects ?? []).every(harmless)) return NOT_UNDERSTOOD;
    if (joined === '||') {
      // `cmd || exit 1`, `cmd || exit`, `cmd || false` at the end: the status is cmd's
      const last = i === commands.length - 1;
      const a = c.args.map((w) => w.raw);
      const exits = (c.name === 'exit' && (a.length === 0 || (a.length === 1 && /^[1-9][0-9]*$/.test(a[0]!)))) || (c.name === 'false' && a.length === 0);
      if (last && exits && !c.assignments.length) break;
      return NOT_UNDERSTOOD;
    }
    if (!c.nameWord) return NOT_UNDERSTOOD;
    const words: ShellWord[] = [c.nameWord, ...c.args];
    const p = command(words.map((w) => {
      const e = expandWord(w.raw, (n) => lookup(n));
      return { text: e.text, known: e.known, raw: w.raw };
    }));
    if (p === 'not-understood') return NOT_UNDERSTOOD;
    if (p) probes.push(p);
  }
  return { probes, understood: true };
}

function base(w: string): string {
  return w.slice(w.lastIndexOf('/') + 1);
}

/** One simple command: a probe, undefined (not a probe), or not understood. */
function command(words: Word[]): Probe | undefined | 'not-understood' {
  let i = 0;
  // wrappers that keep the program's exit status
  for (;;) {
    const b = base(words[i]?.text ?? '');
    if (b === 'exec' || b === 'command') i++;
    else if (b === 'timeout') {
      i++;
      while (words[i]?.text.startsWith('-')) i += /^-(?:s|k|-signal|-kill-after)$/.test(words[i]!.text) ? 2 : 1;
      i++; // the duration
    } else break;
  }
  const w = words.slice(i);
  if (!w.length) return undefined;
  const prog = base(w[0]!.text);
  const args = w.slice(1);
  // exec-form words are shown quoted when they hold spaces, as a shell would need them
  const shownArgs = (n: number): string => w.slice(0, n).map((x) => (x.raw === x.text && /[\s"'$;&|<>()]/.test(x.raw) ? (x.raw.includes('"') ? `'${x.raw.replace(/'/g, `'\\''`)}'` : `"${x.raw}"`) : x.raw)).join(' ');
  if (prog === 'curl') return curl(args, shownArgs(w.length));
  if (prog === 'wget') return wget(args, shownArgs(w.length));
  if (/^python(?:\d(?:\.\d+)?)?$/.test(prog)) return python(args, shownArgs(w.length));
  if (prog === 'node' || prog === 'nodejs') return node(args, shownArgs(w.length));
  if (prog === 'nc' || prog === 'netcat') return nc(args, shownArgs(w.length));
  return undefined;
}

interface Url {
  scheme: 'http' | 'https';
  host?: string;
  port?: number;
  path?: string;
}

/** Split a URL the way the tools read it; parts holding an unexpanded variable are undefined. */
export function splitUrl(text: string, known: boolean): Url | undefined {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#]*)(?::([^/?#]*))?([/?#].*)?$/.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const dyn = (s: string | undefined): boolean => !known && s !== undefined && s.includes('$');
  const out: Url = { scheme };
  if (m[2] && !dyn(m[2])) out.host = m[2].toLowerCase();
  if (m[3] === undefined || m[3] === '') out.port = scheme === 'https' ? 443 : 80;
  else if (/^\d+$/.test(m[3])) out.port = Number(m[3]);
  if (!dyn(m[4])) out.path = m[4] ? (m[4].startsWith('/') ? m[4] : `/${m[4]}`).replace(/#.*$/, '') : '/';
  return out;
}

function probe(tool: ProbeTool, url: Url, shown: string, written: string, rest: Omit<Probe, 'tool' | 'shown' | 'written' | keyof Url>): Probe {
  const p: Probe = { tool, shown, written, scheme: url.scheme, ...rest };
  if (url.host !== undefined) p.host = url.host;
  if (url.port !== undefined) p.port = url.port;
  if (url.path !== undefined) p.path = url.path;
  return p;
}

const CURL_SHORT_VALUED = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz'.split(''));
const CURL_LONG_VALUED = new Set([
  'url', 'output', 'header', 'request', 'data', 'data-raw', 'data-binary', 'data-urlencode', 'data-ascii', 'form', 'form-string', 'json',
  'user-agent', 'max-time', 'connect-timeout', 'retry', 'retry-delay', 'retry-max-time', 'write-out', 'user', 'proxy', 'cacert', 'capath',
  'cert', 'key', 'cert-type', 'key-type', 'pass', 'resolve', 'connect-to', 'unix-socket', 'abstract-unix-socket', 'interface', 'cookie',
  'cookie-jar', 'referer', 'range', 'config', 'dump-header', 'expect100-timeout', 'max-filesize', 'max-redirs', 'noproxy', 'output-dir',
  'oauth2-bearer', 'speed-limit', 'speed-time', 'limit-rate', 'keepalive-time', 'dns-servers', 'happy-eyeballs-timeout-ms', 'trace',
  'trace-ascii', 'stderr', 'time-cond', 'upload-file', 'variable', 'proxy-user', 'url-query', 'request-target', 'aws-sigv4', 'ciphers',
  'local-port', 'tls-max', 'crlfile', 'ftp-port', 'socks5', 'socks5-hostname', 'socks4', 'socks4a', 'preproxy', 'proxy-header',
  'create-file-mode', 'retry-connrefused-delay', 'etag-save', 'etag-compare', 'netrc-file', 'hostpubmd5', 'login-options',
]);

function curl(args: Word[], shown: string): Probe | 'not-understood' {
  let fail = false;
  let method: string | undefined = 'GET';
  let explicitMethod: string | undefined;
  let body = false;
  let get = false;
  const urls: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const t = a.text;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = t.slice(2, eq < 0 ? undefined : eq);
      const value = eq >= 0 ? t.slice(eq + 1) : CURL_LONG_VALUED.has(name) ? args[++i]?.text : undefined;
      if (name === 'fail' || name === 'fail-with-body') fail = true;
      else if (name === 'head') method = 'HEAD';
      else if (name === 'request') explicitMethod = value;
      else if (name === 'get') get = true;
      else if (/^(?:data|data-raw|data-binary|data-urlencode|data-ascii|form|form-string|json|upload-file)$/.test(name)) body = true;
      else if (/^(?:connect-to|resolve|unix-socket|abstract-unix-socket|proxy|socks|preproxy|config)/.test(name) || name === 'next') return 'not-understood';
      else if (name === 'url' && value !== undefined) urls.push({ ...a, text: value, raw: args[i]!.raw });
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      for (let k = 1; k < t.length; k++) {
        const c = t[k]!;
        if (CURL_SHORT_VALUED.has(c)) {
          const value = k + 1 < t.length ? t.slice(k + 1) : args[++i]?.text;
          if (c === 'X') explicitMethod = value;
          else if (c === 'd' || c === 'F' || c === 'T') body = true;
          else if (c === 'x' || c === 'K') return 'not-understood';
          break;
        }
        if (c === 'f') fail = true;
        else if (c === 'I') method = 'HEAD';
        else if (c === 'G') get = true;
        else if (c === ':') return 'not-understood'; // --next
      }
      continue;
    }
    urls.push(a);
  }
  if (urls.length !== 1) return 'not-understood';
  if (body && !get) method = 'POST';
  if (explicitMethod !== undefined) method = explicitMethod.includes('$') ? undefined : explicitMethod.toUpperCase();
  const u = urls[0]!;
  const url = splitUrl(u.text, u.known);
  if (!url) return 'not-understood';
  return probe('curl', url, shown, u.raw.replace(/^(['"])(.*)\1$/, '$2'), {
    failsOnHttpError: fail, failsOnConnect: true, ...(method ? { method } : {}), failure: 'curl -f exits 22', connectFailure: 'curl exits 7',
  });
}

const WGET_SHORT_VALUED = new Set('OoaTtwUPeiBYQlARDXI'.split(''));
const WGET_LONG_VALUED = new Set([
  'output-document', 'output-file', 'append-output', 'timeout', 'tries', 'wait', 'user-agent', 'directory-prefix', 'execute', 'input-file',
  'base', 'proxy', 'quota', 'level', 'accept', 'reject', 'domains', 'exclude-directories', 'include-directories', 'header', 'post-data',
  'post-file', 'method', 'body-data', 'body-file', 'max-redirect', 'dns-timeout', 'connect-timeout', 'read-timeout', 'user', 'password',
  'http-user', 'http-password', 'ca-certificate', 'certificate', 'private-key', 'bind-address', 'limit-rate', 'referer', 'load-cookies',
  'save-cookies', 'waitretry', 'retry-on-http-error',
]);

function wget(args: Word[], shown: string): Probe | 'not-understood' {
  let method: string | undefined = 'GET';
  const urls: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const t = a.text;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = t.slice(2, eq < 0 ? undefined : eq);
      const value = eq >= 0 ? t.slice(eq + 1) : WGET_LONG_VALUED.has(name) ? args[++i]?.text : undefined;
      if (name === 'spider') method = undefined; // GNU sends HEAD, BusyBox GET
      else if (name === 'post-data' || name === 'post-file') method = 'POST';
      else if (name === 'method') method = value?.toUpperCase();
      else if (name === 'execute' || name === 'input-file' || name === 'proxy' || name === 'bind-address') return 'not-understood';
      continue;
    }
    if (/^-n[vcdHp]$/.test(t)) continue;
    if (t.startsWith('-') && t.length > 1) {
      for (let k = 1; k < t.length; k++) {
        const c = t[k]!;
        if (WGET_SHORT_VALUED.has(c)) {
          const value = k + 1 < t.length ? t.slice(k + 1) : args[++i]?.text;
          if (c === 'e' || c === 'i') return 'not-understood';
          if (c === 'Y' && value === 'on') return 'not-understood';
          break;
        }
      }
      continue;
    }
    urls.push(a);
  }
  if (urls.length !== 1) return 'not-understood';
  const u = urls[0]!;
  const url = splitUrl(u.text, u.known);
  if (!url) return 'not-understood';
  return probe('wget', url, shown, u.raw.replace(/^(['"])(.*)\1$/, '$2'), {
    failsOnHttpError: true, failsOnConnect: true, ...(method ? { method } : {}), failure: 'wget exits non-zero (8 for GNU Wget, 1 for BusyBox)',
    connectFailure: 'wget exits non-zero (4 for GNU Wget, 1 for BusyBox)',
  });
}

/** The one URL literal in a code string. */
function codeUrl(code: string): string | undefined | 'many' {
  const hits = [...code.matchAll(/(['"])(https?:\/\/[^'"\s]+)\1/g)].map((m) => m[2]!);
  if (hits.length > 1) return 'many';
  return hits[0];
}

function python(args: Word[], shown: string): Probe | undefined | 'not-understood' {
  const c = args.findIndex((a) => a.text === '-c');
  if (c < 0) return undefined;
  const codeWord = args[c + 1];
  if (!codeWord) return undefined;
  const code = codeWord.text;
  const urlText = codeUrl(code);
  if (urlText === undefined) return undefined;
  if (urlText === 'many' || /\b(?:try|except)\b|os\._exit|sys\.exit\(\s*0\s*\)/.test(code)) return 'not-understood';
  const url = splitUrl(urlText, !urlText.includes('{'));
  if (!url) return 'not-understood';
  let tool: ProbeTool;
  let failsOnHttpError: boolean;
  let failure: string;
  let connectFailure: string;
  if (/\burlopen\s*\(/.test(code)) {
    tool = 'python-urllib';
    failsOnHttpError = true;
    failure = 'urlopen raises HTTPError and python exits 1';
    connectFailure = 'urlopen raises URLError and python exits 1';
  } else if (/\brequests\.(?:get|head|request)\s*\(/.test(code)) {
    tool = 'python-requests';
    failsOnHttpError = /raise_for_status\s*\(/.test(code);
    failure = 'raise_for_status() raises and python exits 1';
    connectFailure = 'requests raises ConnectionError and python exits 1';
  } else if (/\bhttpx\.(?:get|head|request)\s*\(/.test(code)) {
    tool = 'python-httpx';
    failsOnHttpError = /raise_for_status\s*\(/.test(code);
    failure = 'raise_for_status() raises and python exits 1';
    connectFailure = 'httpx raises ConnectError and python exits 1';
  } else return 'not-understood';
  const method = /method\s*=\s*['"]HEAD['"]|\.head\s*\(/.test(code) ? 'HEAD' : /method\s*=|data\s*=/.test(code) ? undefined : 'GET';
  return probe(tool, url, shown, urlText, { failsOnHttpError, failsOnConnect: true, ...(method ? { method } : {}), failure, connectFailure });
}

function node(args: Word[], shown: string): Probe | undefined | 'not-understood' {
  const e = args.findIndex((a) => a.text === '-e' || a.text === '--eval');
  const code = e >= 0 ? args[e + 1]?.text : undefined;
  if (!code) return undefined;
  const urlText = codeUrl(code);
  if (urlText === undefined) return undefined;
  if (urlText === 'many') return 'not-understood';
  const url = splitUrl(urlText, !urlText.includes('${'));
  if (!url) return 'not-understood';
  const handlesErrors = /\.on\(\s*['"]error['"]|\.catch\(|\btry\s*\{/.test(code);
  const failsOnConnect = !handlesErrors || /exit\(\s*1\s*\)/.test(code);
  const exact200 = /status(?:Code)?\s*(?:===?|!==?)\s*200\b/.test(code) || (/\bfetch\s*\(/.test(code) && /\.ok\b/.test(code));
  return probe('node', url, shown, urlText, { failsOnHttpError: exact200, failsOnConnect, method: 'GET', failure: 'the script exits 1', connectFailure: 'the script exits 1' });
}

function nc(args: Word[], shown: string): Probe | undefined | 'not-understood' {
  let z = false;
  const pos: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.text;
    if (t.startsWith('-')) {
      if (t.includes('z')) z = true;
      if (/^-[wqips]$/.test(t)) i++;
      continue;
    }
    pos.push(args[i]!);
  }
  if (!z) return undefined;
  if (pos.length !== 2) return 'not-understood';
  const [h, p] = pos as [Word, Word];
  const out: Probe = { tool: 'nc', shown, written: `${h.raw} ${p.raw}`, scheme: 'http', failsOnHttpError: false, failsOnConnect: true, failure: 'nc -z exits 1', connectFailure: 'nc -z exits 1' };
  if (h.known) out.host = h.text.toLowerCase();
  if (p.known && /^\d+$/.test(p.text)) out.port = Number(p.text);
  return out;
}
