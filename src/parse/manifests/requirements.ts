/**
 * pip requirements files, hand-written (DEPENDENCIES.md §6: the one npm parser fails on option
 * lines, `--hash` and editable installs). Follows pip's own preprocessing
 * (pip/_internal/req/req_file.py): join `\` continuations, drop comments (`#` at the start of a
 * line or after whitespace), then read each logical line as an option line or a requirement with
 * per-requirement options. Every requirement keeps its location in the file.
 */
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { normalizeDistName, parsePep508 } from './pep508.js';

export interface PyRequirement {
  /** the distribution name as written */
  name: string;
  /** PEP 503 normalised name */
  key: string;
  extras: string[];
  /** PEP 440 specifier set without spaces (`>=1,<2`); '' = any version; null = a constraint we cannot express */
  specifier: string | null;
  marker?: string;
  /** `name @ url`, `-e git+…#egg=name`, or a path with a known name */
  url?: string;
  editable?: boolean;
  /** the whole requirement (the line, or the string in pyproject.toml) */
  loc: Location;
  /** where the dependency came from: `requirements`, `project`, `optional:<extra>`, `group:<name>`, `poetry`, `poetry-group:<name>` */
  section: string;
  /** Poetry `optional = true`: installed only through an extra */
  optional?: boolean;
}

export interface RequirementsInclude {
  /** `-r` (more requirements) or `-c` (constraints only) */
  kind: 'requirement' | 'constraint';
  /** as written */
  written: string;
  /** resolved relative to the including file's directory (repo-relative path), undefined for URLs */
  path?: string;
  loc: Location;
}

/** A requirement given as a path or URL without a name (`.`, `./libs/x`, `-e .`, `/wheels/*.whl`). */
export interface UnnamedRequirement {
  target: string;
  editable: boolean;
  extras: string[];
  loc: Location;
}

export interface RequirementsFile {
  path: string;
  requirements: PyRequirement[];
  includes: RequirementsInclude[];
  unnamed: UnnamedRequirement[];
  /** global option lines (`--index-url`, `--no-binary`, ...) */
  options: { name: string; value?: string; loc: Location }[];
  errors: { message: string; loc: Location }[];
  /** every named requirement pins an exact version (`==`, `===`): the file lists what gets installed, like a lock */
  fullyPinned: boolean;
}

/** pip's option lines; those in VALUED take a value (next word or `=value`). */
const VALUED = new Set([
  '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--no-binary', '--only-binary', '--trusted-host',
  '--use-feature', '--config-settings', '--global-option', '--hash', '--progress-bar', '--platform', '--python-version',
]);
const FLAGS = new Set(['--no-index', '--pre', '--prefer-binary', '--require-hashes', '--no-deps']);
const PATH_LIKE = /^(?:\.{1,2}(?:[/\\]|$)|[/~]|[A-Za-z]:[/\\])|\.(?:whl|tar\.gz|tgz|zip|tar\.bz2)$/i;
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+)/i;

interface Logical {
  text: string;
  /** offset in the file of each character of `text` */
  map: number[];
  line: number;
}

/** Lines after joining continuations and removing comments, each with a map back to file offsets. */
function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  const physical: { text: string; start: number; line: number }[] = [];
  let start = 0;
  let n = 1;
  for (const raw of text.split('\n')) {
    physical.push({ text: raw.replace(/\r$/, ''), start, line: n++ });
    start += raw.length + 1;
  }
  let cur: Logical | undefined;
  for (const p of physical) {
    // pip strips comments before joining; a comment line ends a continuation
    const hash = /(^|\s)#/.exec(p.text);
    const body = hash ? p.text.slice(0, hash.index + hash[1]!.length) : p.text;
    const cont = !hash && /\\$/.test(body);
    const content = cont ? body.slice(0, -1) : body;
    if (!cur) cur = { text: '', map: [], line: p.line };
    for (let i = 0; i < content.length; i++) {
      cur.text += content[i];
      cur.map.push(p.start + i);
    }
    if (cont) continue;
    cur.map.push(p.start + content.length);
    out.push(cur);
    cur = undefined;
  }
  if (cur) {
    cur.map.push(text.length);
    out.push(cur);
  }
  return out;
}

/** Split on whitespace, keeping each word's start index. */
function words(s: string): { w: string; at: number }[] {
  const out: { w: string; at: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ w: m[0], at: m.index });
  return out;
}

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

function joinPath(dir: string, rel: string): string | undefined {
  if (URL_LIKE.test(rel) || rel.startsWith('/') || rel.startsWith('~')) return undefined;
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.split(/[/\\]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/** `#egg=name` of a VCS/URL requirement. */
function eggName(url: string): string | undefined {
  return /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url)?.[1];
}

export function parseRequirements(source: SourceFile): RequirementsFile {
  const file = source.path;
  const res: RequirementsFile = { path: file, requirements: [], includes: [], unnamed: [], options: [], errors: [], fullyPinned: false };
  const text = source.text.replace(/^\uFEFF/, '');
  const shift = source.text.length - text.length;
  for (const l of logicalLines(text)) {
    const trimmed = l.text.trim();
    if (!trimmed) continue;
    const lead = l.text.length - l.text.trimStart().length;
    const at = (i: number): number => (l.map[Math.min(i, l.map.length - 1)] ?? 0) + shift;
    const span = (a: number, b: number): Location => source.location(at(a), b > a ? at(b - 1) + 1 : at(a));
    const lineLoc = span(lead, lead + trimmed.length);
    const ws = words(l.text);
    const first = ws[0]!;
    if (first.w.startsWith('-')) {
      // option line: -r/-c/-e take a value, which may be glued (`-rreq.txt`, `--requirement=req.txt`)
      const m = /^(-r|--requirement|-c|--constraint|-e|--editable)(?:=|(?=.))?(.*)$/.exec(first.w);
      let name = m ? m[1]! : first.w.split('=')[0]!;
      let value: string | undefined;
      let valueAt = -1;
      if (m && m[2]) {
        value = m[2];
        valueAt = first.at + first.w.length - m[2].length;
      } else if (first.w.includes('=')) {
        value = first.w.slice(first.w.indexOf('=') + 1);
        valueAt = first.at + first.w.indexOf('=') + 1;
      } else if (ws[1] && (m || VALUED.has(name))) {
        value = ws[1].w;
        valueAt = ws[1].at;
      }
      if (name === '--requirement') name = '-r';
      if (name === '--constraint') name = '-c';
      if (name === '--editable') name = '-e';
      if (name === '-r' || name === '-c') {
        if (value === undefined) {
          res.errors.push({ message: `${name} needs a file name`, loc: lineLoc });
          continue;
        }
        const inc: RequirementsInclude = { kind: name === '-r' ? 'requirement' : 'constraint', written: value, loc: span(valueAt, valueAt + value.length) };
        const p = joinPath(dirOf(file), value);
        if (p !== undefined) inc.path = p;
        res.includes.push(inc);
        continue;
      }
      if (name === '-e') {
        if (value === undefined) {
          res.errors.push({ message: '-e needs a path or URL', loc: lineLoc });
          continue;
        }
        addTarget(res, value, true, span(valueAt, valueAt + value.length));
        continue;
      }
      if (!VALUED.has(name) && !FLAGS.has(name) && !name.startsWith('--')) {
        res.errors.push({ message: `unknown pip option ${name}`, loc: lineLoc });
        continue;
      }
      const opt: { name: string; value?: string; loc: Location } = { name, loc: lineLoc };
      if (value !== undefined) opt.value = value;
      res.options.push(opt);
      continue;
    }
    // a requirement, possibly followed by per-requirement options (` --hash=...`)
    const optAt = /\s--?[A-Za-z]/.exec(l.text.slice(lead));
    const reqText = (optAt ? l.text.slice(lead, lead + optAt.index) : l.text.slice(lead)).trimEnd();
    const reqLoc = span(lead, lead + reqText.length);
    const target = reqText.split(/\s*;\s*/)[0]!.trim();
    const namedUrl = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@/.test(target);
    if (!namedUrl && (PATH_LIKE.test(target.replace(/\[[^\]]*\]$/, '')) || URL_LIKE.test(target))) {
      addTarget(res, target, false, reqLoc);
      continue;
    }
    const r = parsePep508(reqText);
    if (!r) {
      res.errors.push({ message: `cannot read requirement "${reqText}"`, loc: reqLoc });
      continue;
    }
    const req: PyRequirement = { name: r.name, key: normalizeDistName(r.name), extras: r.extras, specifier: r.specifier, loc: reqLoc, section: 'requirements' };
    if (r.url) req.url = r.url;
    if (r.marker) req.marker = r.marker;
    res.requirements.push(req);
  }
  res.fullyPinned = res.requirements.length > 0 && res.requirements.every((r) => r.url !== undefined || /^===?[^,]+$/.test(r.specifier ?? ''));
  return res;
}

/** A path or URL requirement: named when it carries `#egg=`, else unnamed. */
function addTarget(res: RequirementsFile, target: string, editable: boolean, loc: Location): void {
  const egg = eggName(target);
  if (egg) {
    const req: PyRequirement = { name: egg, key: normalizeDistName(egg), extras: [], specifier: '', url: target, loc, section: 'requirements' };
    if (editable) req.editable = true;
    res.requirements.push(req);
    return;
  }
  const ex = /\[([^\]]*)\]$/.exec(target);
  res.unnamed.push({ target: ex ? target.slice(0, ex.index) : target, editable, extras: ex ? ex[1]!.split(',').map((s) => s.trim()).filter(Boolean) : [], loc });
}
