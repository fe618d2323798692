/**
 * Replays a Dockerfile's instructions per build stage to get the image config each stage ends with:
 * ARG/ENV scope, WORKDIR, USER, ENTRYPOINT/CMD, EXPOSE, HEALTHCHECK and the COPY/ADD steps.
 * We keep our own scope instead of dockerfile-ast's resolveVariable (it recurses forever outside a
 * stage and does not apply `${V:-w}`); ARG/ENV values are stored expanded, so expansion is transitive.
 */
import { posix } from 'node:path';
import type { Location } from '../core/location.js';
import type { SourceFile } from '../core/source-file.js';
import { expandVariables, processWord, type Lookup } from '../parse/dockerfile/expand.js';
import type { DockerArg, DockerfileAst, DockerInstruction } from '../parse/dockerfile/types.js';
import { parseImageName } from './image-name.js';
import type { CommandSpec, CopyStep, DockerfileModel, Sourced, StageModel } from './types.js';

/** What a stage carries besides its public model. */
interface StageState {
  model: StageModel;
  /** SHELL: the argv prefix for shell-form commands; part of the image config, so inherited */
  shell: string[];
  /** a CMD in this stage survives a later ENTRYPOINT; an inherited one does not */
  cmdSet: boolean;
  /** ARGs declared in this stage (value undefined: declared without a value) */
  args: Map<string, string | undefined>;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];

export function buildDockerfileModel(
  source: SourceFile,
  ast: DockerfileAst,
  buildArgs: ReadonlyMap<string, string | null> = new Map(),
): DockerfileModel {
  const esc = ast.escape;
  // `args: [KEY]` without a value comes from the shell at build time: unknown, so the default stands
  const override = (name: string): string | undefined => buildArgs.get(name) ?? undefined;
  const globalArgs = new Map<string, string | undefined>();
  const globalValues = new Map<string, string | undefined>();
  const globalLookup: Lookup = (n) => globalValues.get(n);
  const states: StageState[] = [];
  let cur: StageState | undefined;

  for (const ins of ast.instructions) {
    if (ins.keyword === 'FROM') {
      cur = startStage(ins, states, globalLookup, esc);
      states.push(cur);
      continue;
    }
    if (!cur) {
      // before the first FROM only ARG means anything; each default sees the ARGs above it
      if (ins.keyword !== 'ARG') continue;
      for (const { name, raw } of argPairs(ins.args)) {
        const def = raw === undefined ? undefined : processWord(raw, globalLookup, esc);
        globalArgs.set(name, def);
        globalValues.set(name, override(name) ?? def);
      }
      continue;
    }
    const st = cur;
    const m = st.model;
    m.instructions.push(ins);
    // ENV always wins over an ARG of the same name (Dockerfile reference, "Using ARG variables")
    const lookup: Lookup = (n) => m.env.get(n)?.value ?? st.args.get(n);
    const word = (w: string): string => processWord(w, lookup, esc);
    switch (ins.keyword) {
      case 'ARG': {
        // BuildKit expands the whole instruction before applying it, so `ARG A=1 B=$A` sees the old A
        const values = argPairs(ins.args).map(({ name, raw }) => {
          const value = override(name) ?? (raw === undefined ? globalValues.get(name) : word(raw));
          return [name, value] as const;
        });
        for (const [name, value] of values) st.args.set(name, value);
        break;
      }
      case 'ENV':
        for (const [name, value] of envPairs(ins, word)) m.env.set(name, value);
        break;
      case 'WORKDIR': {
        const dir = word(ins.argsText);
        if (dir) m.workdir = posix.resolve(m.workdir, dir);
        break;
      }
      case 'USER':
        m.user = { value: word(ins.argsText), loc: ins.argsLoc };
        break;
      case 'SHELL':
        if (ins.exec && ins.exec.length > 0) st.shell = ins.exec;
        break;
      case 'CMD':
        m.cmd = command(ins, st.shell);
        st.cmdSet = true;
        break;
      case 'ENTRYPOINT':
        m.entrypoint = command(ins, st.shell);
        // "If CMD is defined from the base image, setting ENTRYPOINT will reset CMD to an empty value."
        if (!st.cmdSet) delete m.cmd;
        break;
      case 'EXPOSE':
        for (const a of ins.args) {
          for (const port of word(a.value).split(/\s+/)) if (port) m.expose.push({ value: port, loc: a.loc });
        }
        break;
      case 'HEALTHCHECK': {
        const test = healthcheckTest(ins);
        if (test) m.healthcheck = { value: test, loc: ins.loc, instruction: ins };
        break;
      }
      case 'COPY':
      case 'ADD':
        m.copies.push(copyStep(ins, ins.keyword, m.workdir, lookup, esc));
        break;
    }
  }
  return { path: source.path, source, ast, stages: states.map((s) => s.model), globalArgs };
}

function startStage(ins: DockerInstruction, states: StageState[], globalLookup: Lookup, esc: '\\' | '`'): StageState {
  const [image, as, alias] = ins.args;
  const name = as && as.value.toUpperCase() === 'AS' && alias ? alias.value : undefined;
  // FROM sees only the global ARGs (declared before the first FROM), never a stage's ARG or ENV
  const expanded = image ? processWord(image.value, globalLookup, esc) : '';
  const index = states.length;
  const baseIndex = findStage(expanded, states);
  const base = baseIndex === undefined ? undefined : states[baseIndex];
  const model: StageModel = {
    index,
    loc: ins.loc,
    base: { ...parseImageName(expanded), loc: image?.loc ?? ins.loc },
    instructions: [ins],
    workdir: base?.model.workdir ?? '/',
    env: new Map(base?.model.env),
    expose: [...(base?.model.expose ?? [])],
    copies: [],
  };
  if (name !== undefined) model.name = name;
  if (baseIndex !== undefined) model.baseStage = baseIndex;
  // the image config (USER, CMD, ENTRYPOINT, HEALTHCHECK) carries over when building FROM a stage
  const b = base?.model;
  if (b?.user) model.user = b.user;
  if (b?.entrypoint) model.entrypoint = b.entrypoint;
  if (b?.cmd) model.cmd = b.cmd;
  if (b?.healthcheck) model.healthcheck = b.healthcheck;
  return { model, shell: base?.shell ?? DEFAULT_SHELL, cmdSet: false, args: new Map() };
}

/** An earlier stage named (case-insensitively, as BuildKit lowercases names) or numbered by `ref`. */
function findStage(ref: string, states: StageState[]): number | undefined {
  const lower = ref.toLowerCase();
  const byName = states.find((s) => s.model.name?.toLowerCase() === lower);
  if (byName) return byName.model.index;
  if (/^\d+$/.test(ref) && Number(ref) < states.length) return Number(ref);
  return undefined;
}

/** `ARG NAME` / `ARG NAME=default ...`: raw default as written (undefined when absent). */
function argPairs(args: DockerArg[]): { name: string; raw: string | undefined }[] {
  return args.map((a) => {
    const eq = a.value.indexOf('=');
    return eq < 0 ? { name: a.value, raw: undefined } : { name: a.value.slice(0, eq), raw: a.value.slice(eq + 1) };
  });
}

/** `ENV K=V K2="v 2"` or the legacy `ENV K value with spaces`; values expanded before any is set. */
function envPairs(ins: DockerInstruction, word: (w: string) => string): [string, Sourced<string>][] {
  const [first, second] = ins.args;
  if (!first) return [];
  if (!first.value.includes('=')) {
    const rest = ins.argsText.replace(/^\S+[ \t]*/, '');
    const last = ins.args[ins.args.length - 1]!;
    const loc: Location = second ? { ...second.loc, endLine: last.loc.endLine, endColumn: last.loc.endColumn } : first.loc;
    return [[first.value, { value: word(rest), loc }]];
  }
  return ins.args.map((a) => {
    const eq = a.value.indexOf('=');
    const name = eq < 0 ? a.value : a.value.slice(0, eq);
    return [name, { value: eq < 0 ? '' : word(a.value.slice(eq + 1)), loc: a.loc }];
  });
}

function command(ins: DockerInstruction, shell: string[]): CommandSpec {
  if (ins.exec) return { form: 'exec', argv: ins.exec, text: ins.exec.join(' '), loc: ins.loc };
  return { form: 'shell', argv: [...shell, ins.argsText], text: ins.argsText, loc: ins.loc };
}

/** Normalised like compose: ['CMD', ...argv], ['CMD-SHELL', text] or ['NONE']. */
function healthcheckTest(ins: DockerInstruction): string[] | undefined {
  const m = /^(CMD|NONE)(?=\s|\[|$)[ \t]*/i.exec(ins.argsText);
  if (!m) return undefined;
  if (m[1]!.toUpperCase() === 'NONE') return ['NONE'];
  return ins.exec ? ['CMD', ...ins.exec] : ['CMD-SHELL', ins.argsText.slice(m[0].length)];
}

function copyStep(ins: DockerInstruction, keyword: 'COPY' | 'ADD', workdir: string, lookup: Lookup, esc: '\\' | '`'): CopyStep {
  // exec-form elements are already unquoted by JSON, so they only get substitution
  const items: Sourced<string>[] = ins.exec
    ? ins.exec.map((v, i) => ({ value: expandVariables(v, lookup, esc), loc: ins.execLocs?.[i] ?? ins.argsLoc }))
    : ins.args.map((a) => ({ value: processWord(a.value, lookup, esc), loc: a.loc }));
  const step: CopyStep = {
    keyword,
    instruction: ins,
    sources: items.slice(0, -1),
    dest: resolveDest(items[items.length - 1]?.value ?? '', workdir),
    heredoc: ins.heredocs.length > 0,
    loc: ins.loc,
  };
  for (const f of ins.flags) {
    const value = f.value === null ? undefined : processWord(f.value, lookup, esc);
    if (value === undefined) continue;
    if (f.name === 'from') step.from = value;
    else if (f.name === 'chown') step.chown = value;
    else if (f.name === 'chmod') step.chmod = value;
  }
  return step;
}

/** A relative destination is relative to WORKDIR; a trailing `/` (a directory) is kept. */
function resolveDest(dest: string, workdir: string): string {
  if (!dest) return dest;
  const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  let p = dest.startsWith('/') ? posix.normalize(dest) : posix.join(workdir, dest);
  if (isDir && !p.endsWith('/')) p += '/';
  return p;
}
