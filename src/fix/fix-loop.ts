/**
 * The fix engine (`drydock fix`). Rules only attach edits to findings; this is the one place that
 * applies them:
 *
 *  1. audit, and take the fixes of the requested safety (`safe`; `unsafe` adds unsafe fixes and
 *     fixes that create directories; `display-only` is never applied) from the findings.
 *     Suppressed findings are not in the result, so they never produce a fix;
 *  2. choose fixes that do not conflict (the earlier finding wins; the later one waits for the
 *     next pass, when its rule reports it again with offsets into the fixed text);
 *  3. apply them per file in memory and re-parse every changed file: a fix that breaks the
 *     file's syntax is dropped before anything is written;
 *  4. write the files atomically and audit again; if a finding appears that was not there before
 *     (or a rule crashes), restore the files and retry the pass one fix at a time to find the
 *     fixes to blame;
 *  5. repeat while fixable findings remain, up to 10 passes, stopping if a state repeats
 *     (fixes that undo each other) or a fix does not make its finding go away.
 *
 * `dryRun` runs the same loop on a scratch copy of the tree in the OS temp directory (see
 * scratch-copy.ts) and returns the unified diff; the real tree is never written. When the copy
 * cannot be made or does not audit exactly like the real tree, the dry run falls back to one
 * pass in memory with the syntax checks only, and says so (`verified: false`).
 *
 * This module sits in the fix layer, below `audit.ts`, so the caller passes `audit` in.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Finding, Fix, TextEdit } from '../core/finding.js';
import { formatLocation, type Location } from '../core/location.js';
import { readSource } from '../discover/read-file.js';
import type { GitOption } from '../discover/index.js';
import { collectSecretValues } from '../model/secrets.js';
import type { ProjectModel } from '../model/types.js';
import { EditSet, invalidEdit, spliceAll } from './apply-edits.js';
import { unifiedDiffs } from './diff.js';
import { makeScratchCopy, type ScratchCopy } from './scratch-copy.js';
import { syntaxRegression } from './syntax-check.js';
import { checkRelativePath, createDirectory, plannedDirectories, removeCreatedDirectories, resolveFile, writeFileAtomic, WriteError } from './write-file.js';

export type FixLevel = 'safe' | 'unsafe';

/** What the engine needs of `audit()`'s output. */
export interface AuditRun {
  result: { findings: Finding[] };
  model: ProjectModel;
  crashed: { ruleId: string; error: Error }[];
}

/** What the engine needs to know of `audit()`'s options (it re-roots them for the dry-run copy). */
export interface FixAuditOptions {
  root: string;
  composeFiles?: string[];
  git?: GitOption;
}

export interface FixOptions<O extends FixAuditOptions> {
  root: string;
  safety: FixLevel;
  /** only fixes of these rules (default: all) */
  rules?: readonly string[];
  /** compute everything on a scratch copy and return the diff; never write the tree */
  dryRun: boolean;
  /** passed to every audit (environments, compose files, config, a test rule registry, ...) */
  auditOptions?: Omit<O, 'root'>;
  audit(options: O): Promise<AuditRun>;
  /** default 10 */
  maxPasses?: number;
}

export type UnfixedReason =
  | 'overlap' // conflicts with another fix, and no later pass got to it
  | 'parse-error' // the fixed file would not parse
  | 'new-finding' // the fixed tree has a finding the original did not
  | 'audit-failed' // a rule crashed, or the audit failed, on the fixed tree
  | 'invalid-fix' // edits outside the file or the root, or that overlap each other (a rule bug)
  | 'write-error' // the file changed on disk, or could not be written
  | 'not-resolved' // applied, but the rule still reports the problem
  | 'pass-limit' // still reported after the last pass
  | 'oscillation'; // fixes undo each other

export interface FixedProblem {
  ruleId: string;
  fingerprint: string;
  message: string;
  location: Location;
  environment?: string;
  description: string;
  /** files the fix edited */
  files: string[];
  pass: number;
}

export interface UnfixedProblem {
  ruleId: string;
  fingerprint: string;
  message: string;
  location: Location;
  environment?: string;
  description: string;
  reason: UnfixedReason;
  detail: string;
}

export interface FixOutcome {
  dryRun: boolean;
  /** the result was checked by re-auditing (always, except a dry run that fell back to memory) */
  verified: boolean;
  /** passes that changed something */
  passes: number;
  fixed: FixedProblem[];
  /** fixable findings (of the requested safety and rules) that remain */
  unfixed: UnfixedProblem[];
  /** changed files with the number of fixes that edited each */
  files: { file: string; fixes: number }[];
  createdDirectories: string[];
  /** unified diff of every changed file, original → fixed */
  diff: string;
  /** in a safe run: remaining findings that have an unsafe fix */
  unsafeAvailable: number;
  notes: string[];
  /** rules that crashed on the original tree: nothing is fixed then */
  crashed: { ruleId: string; error: Error }[];
  /** secret values seen in any audited state, so the caller can mask what it prints */
  secretValues: Set<string>;
}

type Candidate = Finding & { fix: Fix };

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The safety a fix needs: creating directories is never `safe`. */
function levelOf(fix: Fix): FixLevel | 'display-only' {
  if (fix.safety === 'display-only') return 'display-only';
  return fix.safety === 'unsafe' || fix.createDirectories?.length ? 'unsafe' : 'safe';
}

function fixKey(f: Candidate): string {
  const edits = f.fix.edits.map((e) => [e.file, e.text]);
  return JSON.stringify([f.ruleId, f.fingerprint, f.fix.description, edits, f.fix.createDirectories ?? []]);
}

/** a finding across passes (its fix's offsets and texts change as the file does) */
const findingKey = (f: Finding) => `${f.ruleId}\0${f.fingerprint}`;

const passesText = (n: number) => `${n} ${n === 1 ? 'pass' : 'passes'}`;

const where = (f: Finding) => `${f.ruleId} at ${formatLocation(f.location)}`;

// ------------------------------------------------------------------------------ workspaces

/** Where fixes are written: the real tree, a scratch copy (both on disk), or memory only. */
interface Workspace {
  root: string;
  /** writes are real, so the tree can be re-audited after each pass */
  verify: boolean;
  /** why this file cannot be edited, or null */
  fileProblem(rel: string): string | null;
  /** why this directory cannot be created, or null */
  dirProblem(rel: string): string | null;
  write(rel: string, expected: string, text: string): void;
  mkdir(rel: string): string[];
  rmdirs(created: readonly string[]): void;
}

/**
 * The tree at `root`. For a scratch copy, `original` is the real tree: what could not be written
 * there is refused in the copy too, so a dry run shows what a real run would do.
 */
function diskWorkspace(root: string, original?: string): Workspace {
  const fileProblem = (r: string, rel: string) => {
    const t = resolveFile(r, rel);
    return 'error' in t ? t.error : null;
  };
  const dirProblem = (r: string, rel: string) => {
    const plan = plannedDirectories(r, rel);
    return Array.isArray(plan) ? null : plan.error;
  };
  return {
    root,
    verify: true,
    fileProblem: (rel) => (original !== undefined ? fileProblem(original, rel) : null) ?? fileProblem(root, rel),
    dirProblem: (rel) => (original !== undefined ? dirProblem(original, rel) : null) ?? dirProblem(root, rel),
    write: (rel, expected, text) => {
      const t = resolveFile(root, rel);
      if ('error' in t) throw new WriteError(t.error);
      writeFileAtomic(t, expected, text);
    },
    mkdir: (rel) => createDirectory(root, rel),
    rmdirs: (created) => removeCreatedDirectories(root, created),
  };
}

function memoryWorkspace(root: string): Workspace {
  const disk = diskWorkspace(root);
  const planned = (rel: string) => {
    const plan = plannedDirectories(root, rel);
    if (!Array.isArray(plan)) throw new WriteError(plan.error);
    return plan;
  };
  return { ...disk, verify: false, write: () => {}, mkdir: planned, rmdirs: () => {} };
}

// ------------------------------------------------------------------------------ the loop

interface PassResult {
  ok: boolean;
  reason?: UnfixedReason;
  detail?: string;
  audit?: AuditRun;
}

class FixSession<O extends FixAuditOptions> {
  /** current text of every file this run has written (what is on disk now) */
  private readonly disk = new Map<string, string>();
  /** text of each of those files before the run */
  private readonly originals = new Map<string, string>();
  /** directories created by committed passes: createDirectories entry → what mkdir created */
  private readonly dirs = new Map<string, string[]>();
  private readonly fixed: FixedProblem[] = [];
  private readonly applied = new Set<Candidate>();
  private readonly blocked = new Set<string>();
  private readonly reasons = new Map<string, { reason: UnfixedReason; detail: string }>();
  /** findings whose fix waited for a conflicting one, by findingKey */
  private readonly waiting = new Map<string, string>();
  private readonly seenStates = new Set<string>();
  private readonly secrets = new Set<string>();
  private readonly known: ReadonlySet<string>;
  private passes = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly opts: FixOptions<O>,
    private readonly auditOptions: O,
    private audit: AuditRun,
  ) {
    this.known = new Set(audit.result.findings.map((f) => f.fingerprint));
    this.addSecrets(audit.model);
    this.seenStates.add(this.stateKey());
  }

  addSecrets(model: ProjectModel): void {
    for (const s of collectSecretValues(model)) this.secrets.add(s);
  }

  private allowed(f: Finding): f is Candidate {
    if (!f.fix || (this.opts.rules?.length && !this.opts.rules.includes(f.ruleId))) return false;
    const level = levelOf(f.fix);
    return level === 'safe' || (level === 'unsafe' && this.opts.safety === 'unsafe');
  }

  private block(c: Candidate, reason: UnfixedReason, detail: string): void {
    const k = fixKey(c);
    this.blocked.add(k);
    this.reasons.set(k, { reason, detail });
  }

  // ---- file state

  /** text of a file at the start of the pass: what the audit read (the rules' offsets refer to it) */
  private baseCache = new Map<string, string | { error: string }>();
  private base(file: string): string | { error: string } {
    let t = this.baseCache.get(file);
    if (t === undefined) {
      const src = this.audit.model.sources.get(file);
      if (src) t = src.text;
      else {
        const r = readSource(this.ws.root, file);
        t = r.ok ? r.source.text : { error: `${file}: ${r.reason}` };
      }
      this.baseCache.set(file, t);
    }
    return t;
  }
  private baseText(file: string): string {
    const t = this.base(file);
    if (typeof t !== 'string') throw new Error(`internal: ${file} was not validated`);
    return t;
  }

  /** The texts a set of fixes produces from the pass's base texts, for the given files. */
  private textsFor(set: readonly Candidate[], files: Iterable<string>): Map<string, string> {
    const edits = new Map<string, EditSet>();
    for (const c of set)
      for (const e of c.fix.edits) {
        let s = edits.get(e.file);
        if (!s) edits.set(e.file, (s = new EditSet()));
        const chk = s.check(e);
        if (chk.ok && !chk.duplicate) s.add(e);
      }
    const out = new Map<string, string>();
    for (const f of files) {
      const s = edits.get(f);
      out.set(f, s ? spliceAll(this.baseText(f), s.edits) : this.baseText(f));
    }
    return out;
  }

  /** Make the tree hold exactly the pass's base plus `set` (for the files and directories the pass touches). */
  private materialize(set: readonly Candidate[], files: readonly string[], passDirs: Map<string, string[]>): void {
    const want = this.textsFor(set, files);
    for (const [file, text] of want) {
      const have = this.disk.get(file) ?? this.baseText(file);
      if (have === text) continue;
      if (!this.originals.has(file)) this.originals.set(file, this.baseText(file));
      this.ws.write(file, have, text);
      this.disk.set(file, text);
    }
    const wantDirs = new Set(set.flatMap((c) => c.fix.createDirectories ?? []));
    for (const [d, created] of passDirs)
      if (!wantDirs.has(d)) {
        this.ws.rmdirs(created);
        passDirs.delete(d);
      }
    for (const d of wantDirs) if (!passDirs.has(d) && !this.dirs.has(d)) passDirs.set(d, this.ws.mkdir(d));
  }

  private stateKey(): string {
    const h = createHash('sha256');
    for (const [f, t] of [...this.disk].sort(([a], [b]) => byPath(a, b))) if (t !== this.originals.get(f)) h.update(`${f}\0${t}\0`);
    for (const d of [...this.dirs.keys()].sort(byPath)) h.update(`dir\0${d}\0`);
    return h.digest('hex');
  }

  // ---- one pass

  /** Validate and choose non-conflicting fixes; the rest wait (overlap) or are blocked (invalid). */
  private select(cands: readonly Candidate[]): Candidate[] {
    const accepted = new Map<string, EditSet>();
    const owner = new Map<TextEdit, Candidate>();
    const chosen: Candidate[] = [];
    next: for (const c of cands) {
      const { fix } = c;
      if (!fix.edits.length && !fix.createDirectories?.length) {
        this.block(c, 'invalid-fix', 'the fix has no edits');
        continue;
      }
      const own = new Map<string, EditSet>();
      for (const e of fix.edits) {
        const text = this.base(e.file);
        const problem = checkRelativePath(e.file) ?? (typeof text === 'string' ? invalidEdit(e, text.length) ?? this.ws.fileProblem(e.file) : text.error);
        if (problem) {
          this.block(c, 'invalid-fix', problem);
          continue next;
        }
        let s = own.get(e.file);
        if (!s) own.set(e.file, (s = new EditSet()));
        const chk = s.check(e);
        if (!chk.ok) {
          this.block(c, 'invalid-fix', `the fix's own edits overlap in ${e.file}`);
          continue next;
        }
        if (!chk.duplicate) s.add(e);
      }
      for (const d of fix.createDirectories ?? []) {
        const problem = this.ws.dirProblem(d);
        if (problem) {
          this.block(c, 'invalid-fix', problem);
          continue next;
        }
      }
      const changesText = [...own].some(([file, s]) => spliceAll(this.baseText(file), s.edits) !== this.baseText(file));
      const createsDir = (fix.createDirectories ?? []).some((d) => {
        const plan = plannedDirectories(this.ws.root, d);
        return !this.dirs.has(d) && Array.isArray(plan) && plan.length > 0;
      });
      if (!changesText && !createsDir) {
        this.block(c, 'not-resolved', 'the fix changes nothing');
        continue;
      }
      for (const e of fix.edits) {
        const chk = accepted.get(e.file)?.check(e);
        if (chk && !chk.ok) {
          const other = owner.get(chk.conflict);
          this.waiting.set(findingKey(c), `its edit overlaps the fix for ${other ? where(other) : 'another finding'}`);
          continue next;
        }
      }
      for (const e of fix.edits) {
        let s = accepted.get(e.file);
        if (!s) accepted.set(e.file, (s = new EditSet()));
        const chk = s.check(e);
        if (chk.ok && !chk.duplicate) {
          s.add(e);
          owner.set(e, c);
        }
      }
      chosen.push(c);
    }
    return chosen;
  }

  /** Drop fixes that break a file's syntax: all together first, one by one only when needed. */
  private async parseCheck(chosen: Candidate[]): Promise<Candidate[]> {
    const files = [...new Set(chosen.flatMap((c) => c.fix.edits.map((e) => e.file)))];
    const all = this.textsFor(chosen, files);
    let bad = false;
    for (const [f, t] of all) if (t !== this.baseText(f) && (await syntaxRegression(f, this.baseText(f), t))) bad = true;
    if (!bad) return chosen;
    const ok: Candidate[] = [];
    for (const c of chosen) {
      const mine = [...new Set(c.fix.edits.map((e) => e.file))];
      const texts = this.textsFor([...ok, c], mine);
      let problem: string | null = null;
      for (const [f, t] of texts) problem ??= await syntaxRegression(f, this.baseText(f), t);
      if (problem) this.block(c, 'parse-error', problem);
      else ok.push(c);
    }
    return ok;
  }

  /** Write a set of fixes and re-audit; on any problem put the pass's base back. */
  private async tryCommit(set: readonly Candidate[], files: readonly string[], passDirs: Map<string, string[]>, fallback: readonly Candidate[]): Promise<PassResult> {
    const restore = () => {
      try {
        this.materialize(fallback, files, passDirs);
      } catch (e) {
        throw new Error(`could not restore ${files.join(', ')} after a failed fix (${(e as Error).message}); check them with your version control`);
      }
    };
    try {
      this.materialize(set, files, passDirs);
    } catch (e) {
      if (!(e instanceof WriteError)) throw e;
      restore();
      return { ok: false, reason: 'write-error', detail: e.message };
    }
    if (!this.ws.verify) return { ok: true };
    let next: AuditRun;
    try {
      next = await this.opts.audit(this.auditOptions);
    } catch (e) {
      restore();
      return { ok: false, reason: 'audit-failed', detail: `the audit fails on the fixed tree: ${(e as Error).message}` };
    }
    this.addSecrets(next.model);
    if (next.crashed.length) {
      restore();
      const c = next.crashed[0]!;
      return { ok: false, reason: 'audit-failed', detail: `rule ${c.ruleId} crashes on the fixed tree: ${c.error.message}` };
    }
    const fresh = next.result.findings.filter((f) => !this.known.has(f.fingerprint));
    if (fresh.length) {
      restore();
      const f = fresh[0]!;
      return { ok: false, reason: 'new-finding', detail: `the fixed tree would get a new finding: ${where(f)}: ${f.message}${fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''}` };
    }
    return { ok: true, audit: next };
  }

  /** Commit the chosen fixes; if the set fails, find the fixes to blame one at a time. */
  private async commit(chosen: Candidate[]): Promise<Candidate[]> {
    const files = [...new Set(chosen.flatMap((c) => c.fix.edits.map((e) => e.file)))].sort(byPath);
    const passDirs = new Map<string, string[]>();
    const whole = await this.tryCommit(chosen, files, passDirs, []);
    let committed: Candidate[] = [];
    let audit = whole.audit;
    if (whole.ok) committed = chosen;
    else if (chosen.length === 1) this.block(chosen[0]!, whole.reason!, whole.detail!);
    else {
      for (const c of chosen) {
        const r = await this.tryCommit([...committed, c], files, passDirs, committed);
        if (r.ok) {
          committed = [...committed, c];
          audit = r.audit;
        } else this.block(c, r.reason!, r.detail!);
      }
    }
    for (const [d, created] of passDirs) this.dirs.set(d, created);
    if (committed.length && audit) this.audit = audit;
    return committed;
  }

  async run(): Promise<FixOutcome> {
    const maxPasses = this.opts.maxPasses ?? 10;
    let stop: 'done' | 'pass-limit' | 'oscillation' = 'done';
    let lastOffered = new Map<string, number>();
    for (;;) {
      this.baseCache = new Map();
      const all = this.audit.result.findings.filter((f): f is Candidate => this.allowed(f));
      const offered = new Map<string, number>();
      for (const c of all) offered.set(fixKey(c), (offered.get(fixKey(c)) ?? 0) + 1);
      // a fix applied last pass whose finding did not go away is not applied again
      for (const c of all) {
        const k = fixKey(c);
        const before = lastOffered.get(k);
        if (before !== undefined && (offered.get(k) ?? 0) >= before && !this.blocked.has(k))
          this.block(c, 'not-resolved', 'the fix was applied, but the rule still reports the problem');
      }
      const cands = all.filter((c) => !this.blocked.has(fixKey(c)) && !this.applied.has(c));
      if (!cands.length) break;
      if (this.passes >= maxPasses) {
        stop = 'pass-limit';
        break;
      }
      const chosen = await this.parseCheck(this.select(cands));
      if (!chosen.length) {
        // everything chosen was blocked; what waited on it may go now (each round blocks one or more)
        if (cands.some((c) => !this.blocked.has(fixKey(c)) && this.waiting.has(findingKey(c)))) continue;
        break;
      }
      const committed = await this.commit(chosen);
      if (!committed.length) continue;
      this.passes++;
      lastOffered = new Map();
      for (const c of committed) {
        this.applied.add(c);
        lastOffered.set(fixKey(c), offered.get(fixKey(c)) ?? 1);
        this.fixed.push({
          ruleId: c.ruleId,
          fingerprint: c.fingerprint,
          message: c.message,
          location: c.location,
          ...(c.environment !== undefined ? { environment: c.environment } : {}),
          description: c.fix.description,
          files: [...new Set(c.fix.edits.map((e) => e.file))].sort(byPath),
          pass: this.passes,
        });
      }
      // without a re-audit, offsets into the fixed text are unknown: one pass only
      if (!this.ws.verify) break;
      const state = this.stateKey();
      if (this.seenStates.has(state)) {
        stop = 'oscillation';
        break;
      }
      this.seenStates.add(state);
    }
    return this.outcome(stop);
  }

  private reasonFor(c: Candidate, stop: 'done' | 'pass-limit' | 'oscillation'): { reason: UnfixedReason; detail: string } {
    const k = fixKey(c);
    const r = this.reasons.get(k);
    if (r && this.blocked.has(k)) return r;
    if (stop === 'oscillation') return { reason: 'oscillation', detail: 'the fixes undo each other; stopped' };
    const waited = this.waiting.get(findingKey(c));
    if (waited)
      return { reason: 'overlap', detail: waited + (this.ws.verify ? `; not applied within ${passesText(this.passes)}` : ' (a later pass would apply it; this dry run could not re-audit)') };
    return { reason: 'pass-limit', detail: `still reported after ${passesText(this.passes)}` };
  }

  private outcome(stop: 'done' | 'pass-limit' | 'oscillation'): FixOutcome {
    // without a re-audit the findings are the original ones, minus those fixed
    const remaining = this.audit.result.findings.filter((f): f is Candidate => this.allowed(f) && !this.applied.has(f as Candidate));
    const unfixed: UnfixedProblem[] = remaining.map((c) => {
      const { reason, detail } = this.reasonFor(c, stop);
      return {
        ruleId: c.ruleId,
        fingerprint: c.fingerprint,
        message: c.message,
        location: c.location,
        ...(c.environment !== undefined ? { environment: c.environment } : {}),
        description: c.fix.description,
        reason,
        detail,
      };
    });
    const perFile = new Map<string, number>();
    for (const f of this.fixed) for (const file of f.files) perFile.set(file, (perFile.get(file) ?? 0) + 1);
    const changed = [...this.disk].filter(([f, t]) => t !== this.originals.get(f)).map(([f]) => f).sort(byPath);
    const unsafeAvailable =
      this.opts.safety === 'safe'
        ? this.audit.result.findings.filter((f) => f.fix && levelOf(f.fix) === 'unsafe' && (!this.opts.rules?.length || this.opts.rules.includes(f.ruleId))).length
        : 0;
    return {
      dryRun: this.opts.dryRun,
      verified: this.ws.verify,
      passes: this.passes,
      fixed: this.fixed,
      unfixed,
      files: changed.map((file) => ({ file, fixes: perFile.get(file) ?? 0 })),
      createdDirectories: [...new Set([...this.dirs.values()].flat())].sort(byPath),
      diff: unifiedDiffs(changed.map((path) => ({ path, before: this.originals.get(path)!, after: this.disk.get(path)! }))),
      unsafeAvailable,
      notes: [],
      crashed: [],
      secretValues: this.secrets,
    };
  }
}

// ------------------------------------------------------------------------------ entry

const sameFindings = (a: AuditRun, b: AuditRun): boolean => {
  const key = (r: AuditRun) =>
    r.result.findings
      .map((f) => `${f.fingerprint} ${formatLocation(f.location)} ${JSON.stringify(f.fix)}`)
      .sort()
      .join('\n');
  return key(a) === key(b);
};

export async function fixProject<O extends FixAuditOptions>(opts: FixOptions<O>): Promise<FixOutcome> {
  const root = resolve(opts.root);
  const optionsFor = (r: string, extra: Partial<FixAuditOptions> = {}) => ({ ...opts.auditOptions, root: r, ...extra }) as O;
  const realOptions = optionsFor(root);
  const baseline = await opts.audit(realOptions);
  if (baseline.crashed.length) {
    return {
      dryRun: opts.dryRun,
      verified: false,
      passes: 0,
      fixed: [],
      unfixed: [],
      files: [],
      createdDirectories: [],
      diff: '',
      unsafeAvailable: 0,
      notes: ['rules crashed on this tree; nothing was fixed'],
      crashed: baseline.crashed,
      secretValues: collectSecretValues(baseline.model),
    };
  }
  if (!opts.dryRun) return new FixSession(diskWorkspace(root), opts, realOptions, baseline).run();

  // dry run: the same loop on a scratch copy, when the copy audits exactly like the tree
  let scratch: ScratchCopy | undefined;
  let why: string;
  try {
    scratch = makeScratchCopy(baseline.model.tree);
    const gitFacts = baseline.model.tree.git;
    // the scratch copy has no .git: reuse the tree's git facts (index modes and history)
    const git = opts.auditOptions?.git && opts.auditOptions.git !== 'auto' ? opts.auditOptions.git : gitFacts ? { facts: gitFacts } : 'off';
    const s = scratch.root;
    const composeFiles = opts.auditOptions?.composeFiles?.map((f) => {
      const abs = resolve(root, f);
      const rel = relative(root, abs);
      return isAbsolute(f) && !rel.startsWith('..') && !isAbsolute(rel) ? join(s, rel) : f;
    });
    const scratchOptions = optionsFor(s, { git, ...(composeFiles ? { composeFiles } : {}) });
    const copyBaseline = await opts.audit(scratchOptions);
    if (!copyBaseline.crashed.length && sameFindings(baseline, copyBaseline)) {
      const out = await new FixSession(diskWorkspace(s, root), opts, scratchOptions, copyBaseline).run();
      for (const v of collectSecretValues(baseline.model)) out.secretValues.add(v);
      return out;
    }
    why = 'the scratch copy does not audit exactly like the tree';
  } catch (e) {
    why = `cannot make a scratch copy: ${(e as Error).message}`;
  } finally {
    scratch?.dispose();
  }
  const out = await new FixSession(memoryWorkspace(root), opts, realOptions, baseline).run();
  out.notes.push(`the fixes were not re-audited (${why}); this diff is one pass, checked for syntax only`);
  return out;
}
