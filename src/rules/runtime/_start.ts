/**
 * Helpers the start-path rules share (runtime/*, compose/port-mismatch): which steps certainly
 * run, and text edits on the command a step's words are written in. Not a rule: the leading `_`
 * keeps it out of the registry.
 *
 * Edits are only offered where the words sit verbatim in one file and the change cannot alter
 * anything else: an exec-form Dockerfile CMD/ENTRYPOINT (a JSON array), a compose `command`/
 * `entrypoint` list, or a compose string (Compose splits it into words without a shell, so a
 * word appended to it is a word appended to argv). Shell-form commands and scripts get a
 * replacement of one exact literal at most, never an insertion.
 */
import type { Location } from '../../core/location.js';
import type { TextEdit } from '../../core/finding.js';
import type { SourceFile } from '../../core/source-file.js';
import { matchBaseImage } from '../../knowledge/base-images.js';
import type { EnvironmentModel, ProjectModel, ServerFact, ServiceModel, StageModel, StartCommandPart, StartPlan, StartStep } from '../../model/types.js';
import { mapGet, type YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';

export const composeFlags = (env: EnvironmentModel): string => env.composeFiles.map((f) => `-f ${f}`).join(' ');

export const where = (l: Location): string => (l.startLine === undefined ? l.file : `${l.file}:${l.startLine}`);

/** The step runs whatever the environment: not guarded, or every guard holds with the known values. */
export function certainlyRuns(step: StartStep | undefined): boolean {
  return step !== undefined && (!step.conditional || step.conditionHolds === true);
}

export interface PlannedService {
  env: EnvironmentModel;
  svc: ServiceModel;
  plan: StartPlan;
}

/** Every enabled service that has a start plan, per environment. */
export function plannedServices(model: ProjectModel): PlannedService[] {
  const out: PlannedService[] = [];
  for (const env of model.environments)
    for (const svc of env.services) if (svc.enabled && svc.start) out.push({ env, svc, plan: svc.start });
  return out;
}

/** Servers that accept connections (workers are left out). */
export const LISTENING_KINDS: ReadonlySet<ServerFact['kind']> = new Set(['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'flask', 'django-runserver', 'node', 'nodemon', 'next', 'nginx']);

/** What to call a server in a message. */
export function serverName(s: ServerFact): string {
  switch (s.kind) {
    case 'django-runserver':
      return 'manage.py runserver';
    case 'flask':
      return 'flask run';
    case 'next':
      return s.devServer ? 'next dev' : 'next start';
    default:
      return s.kind;
  }
}

export function sourceOf(model: ProjectModel, file: string): SourceFile | undefined {
  return model.composeFiles.get(file)?.source ?? model.sources.get(file);
}

// ---------------------------------------------------------------------------------------------
// where a command's words are written

export type CommandText =
  | { kind: 'compose-seq'; source: SourceFile; items: YamlScalarNode[]; flow: boolean }
  | { kind: 'compose-string'; source: SourceFile; node: YamlScalarNode }
  | { kind: 'dockerfile-exec'; source: SourceFile; ins: DockerInstruction }
  | { kind: 'dockerfile-shell'; source: SourceFile; ins: DockerInstruction };

/** The text a CMD/ENTRYPOINT part of the container's argv is written in. */
export function commandTextOf(model: ProjectModel, svc: ServiceModel, part: StartCommandPart): CommandText | undefined {
  if (part.origin === 'compose-command' || part.origin === 'compose-entrypoint') {
    const node = mapGet(svc.node, part.origin === 'compose-command' ? 'command' : 'entrypoint');
    if (!node) return undefined;
    const source = sourceOf(model, node.loc.file);
    if (!source) return undefined;
    if (node.kind === 'scalar') return node.range[1] > node.range[0] ? { kind: 'compose-string', source, node } : undefined;
    if (node.kind !== 'seq' || !node.items.length) return undefined;
    const items: YamlScalarNode[] = [];
    for (const it of node.items) {
      if (it.kind !== 'scalar' || it.loc.file !== node.loc.file || it.range[1] <= it.range[0]) return undefined;
      items.push(it);
    }
    if (node.loc.startLine === undefined || node.loc.startColumn === undefined) return undefined;
    const start = source.offsetOf(node.loc.startLine, node.loc.startColumn);
    return { kind: 'compose-seq', source, items, flow: source.text[start] === '[' };
  }
  if (part.origin === 'dockerfile-cmd' || part.origin === 'dockerfile-entrypoint') {
    const df = svc.runtime.dockerfile;
    if (!df || df.path !== part.loc.file) return undefined;
    const keyword = part.origin === 'dockerfile-cmd' ? 'CMD' : 'ENTRYPOINT';
    const ins = df.ast.instructions.find((i) => i.keyword === keyword && i.loc.startLine === part.loc.startLine && i.loc.startColumn === part.loc.startColumn);
    if (!ins) return undefined;
    if (ins.exec) return ins.execLocs && ins.execLocs.length === ins.exec.length ? { kind: 'dockerfile-exec', source: df.source, ins } : undefined;
    return { kind: 'dockerfile-shell', source: df.source, ins };
  }
  return undefined;
}

const endsWith = (a: readonly string[], b: readonly string[]): boolean => b.length <= a.length && b.every((w, i) => a[a.length - b.length + i] === w);

/**
 * The CMD (or ENTRYPOINT) part whose words end the step's argv, so that words appended to it
 * reach the step: the step is the container's own program (after wrappers such as `tini --`, or
 * run by a script's `exec "$@"`), its program word is written in that part, and the part is in
 * exec form.
 */
export function tailPart(plan: StartPlan, step: StartStep): StartCommandPart | undefined {
  const last = plan.cmd && !plan.cmdIgnored ? plan.cmd : plan.entrypoint;
  if (!last || last.form !== 'exec' || !last.argv.length || !certainlyRuns(step) || step.background) return undefined;
  if (step.origin !== last.origin) return undefined;
  if (!endsWith(plan.argv, step.argv) || !endsWith(step.argv, last.argv)) return undefined;
  return last;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Edits that append `words` to the command the step's argv ends with; undefined when that is not
 * certainly safe (shell form, a script, `--` ending the options, odd YAML).
 */
export function appendWords(model: ProjectModel, svc: ServiceModel, plan: StartPlan, step: StartStep, words: string[]): TextEdit[] | undefined {
  if (!words.length || !words.every((w) => SAFE_WORD.test(w)) || step.argv.includes('--')) return undefined;
  const part = tailPart(plan, step);
  if (!part) return undefined;
  const ct = commandTextOf(model, svc, part);
  if (!ct) return undefined;
  const text = ct.source.text;
  const file = ct.source.path;
  const quoted = words.map((w) => `"${w}"`);
  switch (ct.kind) {
    case 'compose-seq': {
      const last = ct.items[ct.items.length - 1]!;
      const end = last.range[1];
      if (ct.flow) return [{ file, start: end, end, text: `, ${quoted.join(', ')}` }];
      const raw = text.slice(last.range[0], end);
      if (raw.includes('\n')) return undefined;
      const lineStart = text.lastIndexOf('\n', last.range[0] - 1) + 1;
      const prefix = /^([ \t]*)-[ \t]+$/.exec(text.slice(lineStart, last.range[0]));
      const lineEnd = text.indexOf('\n', end);
      const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
      if (!prefix || !/^[ \t\r]*$/.test(rest)) return undefined;
      return [{ file, start: end, end, text: quoted.map((q) => `\n${prefix[1]}- ${q}`).join('') }];
    }
    case 'compose-string': {
      const [a, b] = ct.node.range;
      const raw = text.slice(a, b);
      if (raw.includes('\n') || raw.includes('\\') || /^[|>]/.test(raw)) return undefined;
      const add = ` ${words.join(' ')}`;
      if (raw.startsWith('"') || raw.startsWith("'")) {
        if (raw.length < 2 || !raw.endsWith(raw[0]!)) return undefined;
        return [{ file, start: b - 1, end: b - 1, text: add }];
      }
      return [{ file, start: b, end: b, text: add }];
    }
    case 'dockerfile-exec': {
      const loc = ct.ins.execLocs![ct.ins.execLocs!.length - 1]!;
      if (loc.endLine === undefined || loc.endColumn === undefined) return undefined;
      const end = ct.source.offsetOf(loc.endLine, loc.endColumn);
      if (text[end - 1] !== '"') return undefined;
      return [{ file, start: end, end, text: `, ${quoted.join(', ')}` }];
    }
    default:
      return undefined;
  }
}

/** A span of file text where words of a command are written verbatim. */
interface Segment {
  source: SourceFile;
  start: number;
  end: number;
}

function segmentsOf(model: ProjectModel, svc: ServiceModel, plan: StartPlan, step: StartStep): Segment[] | undefined {
  if (step.origin === 'script') {
    const source = sourceOf(model, step.loc.file);
    if (!source || step.loc.startLine === undefined || step.loc.startColumn === undefined) return undefined;
    const start = source.offsetOf(step.loc.startLine, step.loc.startColumn);
    // the logical line: backslash-newline continues it
    let end = start;
    const t = source.text;
    for (;;) {
      const nl = t.indexOf('\n', end);
      if (nl < 0) {
        end = t.length;
        break;
      }
      const line = t.slice(end, nl).replace(/\r$/, '');
      if (line.endsWith('\\')) end = nl + 1;
      else {
        end = nl;
        break;
      }
    }
    if (t.slice(start, end).includes('#')) return undefined;
    return [{ source, start, end }];
  }
  const part = plan.cmd?.origin === step.origin ? plan.cmd : plan.entrypoint?.origin === step.origin ? plan.entrypoint : undefined;
  if (!part) return undefined;
  const ct = commandTextOf(model, svc, part);
  if (!ct) return undefined;
  switch (ct.kind) {
    case 'compose-seq':
      return ct.items.map((i) => ({ source: ct.source, start: i.range[0], end: i.range[1] }));
    case 'compose-string':
      return ct.source.text.slice(ct.node.range[0], ct.node.range[1]).includes('\\') ? undefined : [{ source: ct.source, start: ct.node.range[0], end: ct.node.range[1] }];
    case 'dockerfile-exec':
      return ct.ins.execLocs!.flatMap((l) =>
        l.startLine === undefined || l.startColumn === undefined || l.endLine === undefined || l.endColumn === undefined
          ? []
          : [{ source: ct.source, start: ct.source.offsetOf(l.startLine, l.startColumn), end: ct.source.offsetOf(l.endLine, l.endColumn) }],
      );
    case 'dockerfile-shell':
      return [{ source: ct.source, start: ct.ins.argsRange[0], end: ct.ins.argsRange[1] }];
  }
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `literal` as a whole token: not inside a longer name, number or path. */
export const tokenRe = (literal: string): RegExp => new RegExp(`(?<![A-Za-z0-9_.-])${escapeRe(literal)}(?![A-Za-z0-9_.-])`, 'g');

/**
 * The one place in the file where `literal` is written among the words of the step, when the
 * step's argv also holds it exactly once (so the written text is the word the program gets).
 */
export function findLiteral(model: ProjectModel, svc: ServiceModel, plan: StartPlan, step: StartStep, literal: string): { file: string; start: number; end: number; loc: Location } | undefined {
  const inArgv = step.argv.reduce((n, w) => n + (w.match(tokenRe(literal))?.length ?? 0), 0);
  if (inArgv !== 1) return undefined;
  const segs = segmentsOf(model, svc, plan, step);
  if (!segs) return undefined;
  const hits: { source: SourceFile; start: number }[] = [];
  for (const s of segs) for (const m of s.source.text.slice(s.start, s.end).matchAll(tokenRe(literal))) hits.push({ source: s.source, start: s.start + m.index });
  if (hits.length !== 1) return undefined;
  const h = hits[0]!;
  const end = h.start + literal.length;
  return { file: h.source.path, start: h.start, end, loc: h.source.location(h.start, end) };
}

// ---------------------------------------------------------------------------------------------
// gunicorn's command line

/** gunicorn options that take a value (gunicorn/config.py `cli` of every non-boolean setting, 26.x, plus older ones). */
const GUNICORN_VALUED = [
  '-c', '--config', '-b', '--bind', '--backlog', '-w', '--workers', '-k', '--worker-class', '--threads', '--worker-connections',
  '--max-requests', '--max-requests-jitter', '-t', '--timeout', '--graceful-timeout', '--keep-alive', '--limit-request-line',
  '--limit-request-fields', '--limit-request-field_size', '--reload-engine', '--reload-extra-file', '--chdir', '-e', '--env', '-p',
  '--pid', '--worker-tmp-dir', '-u', '--user', '-g', '--group', '-m', '--umask', '--forwarded-allow-ips', '--access-logfile',
  '--access-logformat', '--error-logfile', '--log-file', '--log-level', '--logger-class', '--log-config', '--log-config-json',
  '--log-config-dict', '--log-syslog-to', '--log-syslog-prefix', '--log-syslog-facility', '--statsd-host', '--dogstatsd-tags',
  '--statsd-prefix', '-n', '--name', '--pythonpath', '--paste', '--paster', '--proxy-allow-from', '--protocol',
  '--uwsgi-allow-from', '--keyfile', '--certfile', '--ssl-version', '--cert-reqs', '--ca-certs', '--ciphers', '--http-protocols',
  '--http2-max-concurrent-streams', '--http2-initial-window-size', '--http2-max-frame-size', '--http2-max-header-list-size',
  '--paste-global', '--forwarder-headers', '--header-map', '--asgi-loop', '--asgi-lifespan', '--asgi-disconnect-grace-period',
  '--http-parser', '--root-path', '--dirty-app', '--dirty-workers', '--dirty-timeout', '--dirty-threads', '--dirty-graceful-timeout',
  '--control-socket', '--control-socket-mode', '--settings', '--wsgi-app', '--worker-class',
];
/** gunicorn options without a value (store_true settings), and options whose value is optional across versions. */
const GUNICORN_FLAGS = [
  '--reload', '--spew', '--check-config', '--print-config', '--preload', '--no-sendfile', '--reuse-port', '-D', '--daemon',
  '--initgroups', '--disable-redirect-access-to-syslog', '--capture-output', '--log-syslog', '-R', '--enable-stdio-inheritance',
  '--enable-backlog-metric', '--suppress-ragged-eofs', '--do-handshake-on-connect', '--permit-obsolete-folding',
  '--strip-header-spaces', '--permit-unconventional-http-method', '--permit-unconventional-http-version', '--casefold-http-method',
  '--no-control-socket', '--proxy-protocol', '--http2-cleartext', '-h', '--help', '-v', '--version',
];
const G_VALUED = new Set(GUNICORN_VALUED);
const G_LONG = [...new Set([...GUNICORN_VALUED, ...GUNICORN_FLAGS])].filter((o) => o.startsWith('--'));
const G_SHORT = new Set([...GUNICORN_VALUED, ...GUNICORN_FLAGS].filter((o) => /^-[A-Za-z]$/.test(o)));

/**
 * False when gunicorn's argument parser (argparse, which accepts unambiguous prefixes of long
 * options) rejects an option, so gunicorn exits with "unrecognized arguments" before it binds
 * anything: the command has a different defect, and what it would listen on is moot.
 */
export function gunicornArgvPlausible(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return true;
    if (!a.startsWith('-') || a === '-') continue;
    if (a.startsWith('--')) {
      const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
      const exact = G_LONG.includes(name);
      const matches = exact ? [name] : G_LONG.filter((o) => o.startsWith(name));
      if (matches.length !== 1 && !exact) return false;
      if (!a.includes('=') && G_VALUED.has(matches[0]!)) i++;
      continue;
    }
    const short = a.slice(0, 2);
    if (!G_SHORT.has(short)) return false;
    if (a.length === 2 && G_VALUED.has(short)) i++;
  }
  return true;
}

/** The server's own command line makes sense to it (only gunicorn is checked). */
export function serverArgvPlausible(s: ServerFact, step: StartStep): boolean {
  if (s.kind !== 'gunicorn') return true;
  const i = step.argv.findIndex((w) => /(?:^|\/)gunicorn$/.test(w) || w === 'gunicorn');
  return gunicornArgvPlausible(i < 0 ? step.argv.slice(1) : step.argv.slice(i + 1));
}

/**
 * Some RUN instruction of the service's image (its stage and the stages it builds FROM) mentions
 * `needle`: the file may be created there, which the copy-based `configFileExists` does not see.
 */
export function runMentions(svc: ServiceModel, needle: string): boolean {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  const seen = new Set<number>();
  for (let s = svc.runtime.stage; s && !seen.has(s.index); s = s.baseStage === undefined ? undefined : stages[s.baseStage]) {
    seen.add(s.index);
    for (const ins of s.instructions) if (ins.keyword === 'RUN' && (ins.argsText.includes(needle) || ins.heredocs.some((h) => h.body.includes(needle)))) return true;
  }
  return false;
}

/**
 * The image the service runs starts from a base drydock has facts for, so no unseen ENV of the
 * base (PORT, UVICORN_HOST, …) or file in it changes a server's defaults.
 */
export function baseKnown(svc: ServiceModel): boolean {
  const ext = svc.runtime.external;
  if (!svc.runtime.stage) return ext !== undefined && matchBaseImage(ext) !== undefined;
  const img = svc.runtime.stage.image;
  if (img) return !img.unknownBase;
  const stages = svc.runtime.dockerfile?.stages ?? [];
  let s: StageModel | undefined = svc.runtime.stage;
  for (let i = 0; s && s.baseStage !== undefined && i < 32; i++) s = stages[s.baseStage];
  return s !== undefined && matchBaseImage(s.base) !== undefined;
}
