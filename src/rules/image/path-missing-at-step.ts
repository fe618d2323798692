import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { projectBuilds } from '../../model/build-context.js';
import type { DockerfileModel, ImageModel, ProjectModel, StageModel } from '../../model/types.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ShellCommand, ShellWord } from '../../parse/shell/types.js';
import { defineRule, type FindingInput } from '../define-rule.js';
import { maybeGeneratedBeforeBuild } from './_exec.js';

/** Commands whose operands must exist, and what GNU coreutils / the shell print when one does not. */
const TARGETS: Record<string, (p: string) => string> = {
  chmod: (p) => `chmod: cannot access '${p}': No such file or directory`,
  chown: (p) => `chown: cannot access '${p}': No such file or directory`,
  chgrp: (p) => `chgrp: cannot access '${p}': No such file or directory`,
  cp: (p) => `cp: cannot stat '${p}': No such file or directory`,
  mv: (p) => `mv: cannot stat '${p}': No such file or directory`,
  cat: (p) => `cat: ${p}: No such file or directory`,
  '.': (p) => `.: cannot open ${p}: No such file`,
};
/** Commands that create no path: walking past them keeps "what existed before this RUN" true. */
const CREATES_NOTHING = new Set([
  'echo', 'printf', 'true', 'false', ':', 'test', '[', '[[', 'set', 'export', 'ls', 'stat', 'grep', 'egrep', 'fgrep', 'head', 'tail', 'wc',
  'id', 'whoami', 'sleep', 'rm', 'rmdir', 'unlink', 'sed', 'sort', 'uniq', 'cut', 'tr', 'date', 'uname', 'printenv', 'pwd', 'chmod', 'chown', 'chgrp', 'cat',
  'sha256sum', 'md5sum', 'which', 'command', 'type', 'umask', 'unset',
]);
/** Redirection operators that open a file for writing (creating it); `>&` only with a file name. */
const WRITES = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

export default defineRule({
  meta: {
    id: 'image/path-missing-at-step',
    severity: 'critical',
    title: 'A RUN step works on a path that does not exist at that point of the build',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A `RUN` command (`chmod`, `chown`, `chgrp`, `cp`, `mv`, `cat`, `.`) names a path that the earlier instructions of the stage removed or never created, so the build stops there.',
      why: 'Each instruction runs on the filesystem the previous ones left. `RUN chmod +x /app/cli.py` after a step that deleted it (or when no COPY ever brought it, because the file is elsewhere in the context or `.dockerignore` leaves it out) fails with `chmod: cannot access \'/app/cli.py\': No such file or directory`, and BuildKit reports `process "/bin/sh -c chmod +x /app/cli.py" did not complete successfully: exit code: 1`. Only commands whose failure ends the RUN are reported: the shell form runs `/bin/sh -c` without `-e`, so a failing command fails the build when it is part of the last `&&` chain, or the final command of a chain under `set -e`; commands after `||`, inside pipelines, conditionals or loops, and commands after anything in the same RUN that may create files, are left alone. `WORKDIR` creates its directory, so it is never a finding. Paths a `RUN --mount` provides, paths with variables or wildcards, and files that look generated before the build are not reported.',
      fix: 'Fix the path (check where the COPY put the file and the WORKDIR the command runs in), move the step before the one that removes the path, or create the path first.',
      verify: 'docker compose -f <files> build <service>   (or: docker build -f <Dockerfile> <context>)',
      references: [
        { title: 'Dockerfile reference: RUN (shell form runs /bin/sh -c)', url: 'https://docs.docker.com/reference/dockerfile/#run' },
        { title: 'Dockerfile reference: WORKDIR (created if it does not exist)', url: 'https://docs.docker.com/reference/dockerfile/#workdir' },
        { title: 'POSIX shell: set -e is ignored for commands of an AND-OR list other than the last', url: 'https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_26' },
        { title: 'Dockerfile reference: RUN --mount', url: 'https://docs.docker.com/reference/dockerfile/#run---mount' },
      ],
      example: {
        bad: { Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN find . -name "*.pyc" -delete && rm -f cli.py\nRUN chmod +x /app/cli.py\n', 'cli.py': 'print("hello")\n' },
        good: { Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN find . -name "*.pyc" -delete\nRUN chmod +x /app/cli.py\n', 'cli.py': 'print("hello")\n' },
      },
    },
  },
  check({ model, report }) {
    const seen = new Set<string>();
    for (const build of projectBuilds(model)) {
      const df = build.dockerfile;
      for (const stage of build.stages) {
        const image = stage.image;
        if (!image) continue;
        for (let i = 1; i < stage.instructions.length; i++) {
          const ins = stage.instructions[i]!;
          if (ins.keyword !== 'RUN') continue;
          for (const hit of missingOperands(model, df, stage, image, i, build.context)) {
            const key = `${build.environment?.name ?? ''}|${df.path}|${stage.index}|${i}|${hit.abs}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const f: FindingInput = {
              message: hit.message,
              location: hit.loc,
              related: hit.related,
              key: `${df.path}:${stage.index}:${hit.abs}`,
            };
            if (build.environment && build.service) {
              f.environment = build.environment.name;
              f.service = build.service.name;
              f.verify = [`docker compose ${build.environment.composeFiles.map((x) => `-f ${x}`).join(' ')} build ${build.service.name}`];
            } else f.verify = [`docker build -f ${df.path} ${build.context || '.'}`];
            report(f);
          }
        }
      }
    }
  },
});

interface Hit {
  abs: string;
  message: string;
  loc: Location;
  related: RelatedLocation[];
}

function missingOperands(model: ProjectModel, df: DockerfileModel, stage: StageModel, image: ImageModel, i: number, contextDir: string): Hit[] {
  const ins = stage.instructions[i]!;
  if (ins.heredocs.length) return [];
  const all = image.runCommands(i);
  if (!all?.length) return [];
  // the RUN's own text, or the string of a lone `sh -c STRING` (exec form, or written in the shell form)
  const outer = all.filter((c) => c.context.shellString === undefined);
  const lone = outer.length === 1 ? outer[0]! : undefined;
  const inString = lone !== undefined && SHELLS.has(posix.basename(lone.name)) && lone.nameWord?.literal === true && lone.args.length === 2 && lone.args[0]!.text === '-c';
  const text = all.filter((c) => c.context.shellString === (inString ? 1 : undefined));
  // only a plain list of simple commands (no compound commands, substitutions, `!` or `&`)
  if (!text.length || text.some((c) => c.context.joinedBy === undefined || c.context.background || c.context.negated)) return [];

  // statements (`;`/newline) of AND-OR lists; which commands' failure ends the RUN
  const statements: ShellCommand[][] = [];
  for (const c of text) {
    if (c.context.joinedBy === ';' || !statements.length) statements.push([c]);
    else statements[statements.length - 1]!.push(c);
  }
  // the Dockerfile SHELL runs the shell form; an exec form or a `sh -c` string runs without its -e
  const shellErrexit = !ins.exec && !inString && stageShellErrexit(df, stage, i);
  let errexit = shellErrexit;
  const mounts = mountTargets(ins, workdirAt(df, stage, image, i) ?? '/');
  let cwd = workdirAt(df, stage, image, i);
  const hits: Hit[] = [];
  for (let si = 0; si < statements.length; si++) {
    const st = statements[si]!;
    const lastStatement = si === statements.length - 1;
    // an AND-OR list of single commands joined by && only: a failure in it is the list's status
    const pureAnd = st.every((c) => c.context.joinedBy !== '||' && c.context.joinedBy !== '|');
    for (let k = 0; k < st.length; k++) {
      const c = st[k]!;
      const name = c.nameWord;
      if (!name) continue; // assignments only
      // `[ -e x ] && …` guards what follows: stop there (`exec` ends the shell)
      if (name.literal !== true || c.exec || c.name === '[' || c.name === '[[') return hits;
      const fatal = pureAnd && (lastStatement || (errexit && k === st.length - 1));
      const args = c.args;
      if (c.name === 'set') {
        if (args.some((w) => /^-[a-zA-Z]*e/.test(w.text)) || args.some((w, j) => w.text === '-o' && args[j + 1]?.text === 'errexit')) errexit = true;
        if (args.some((w) => /^\+[a-zA-Z]*e/.test(w.text))) errexit = false;
        continue;
      }
      if (c.name === 'cd') {
        const to = args[0];
        const literal = to?.literal === true;
        cwd = to && literal && cwd !== undefined ? posix.resolve(cwd, to.text) : to && literal && to.text.startsWith('/') ? posix.resolve(to.text) : undefined;
        continue;
      }
      const target = TARGETS[c.name];
      if (target && fatal) {
        for (const op of operands(c.name, args)) {
          if (op.literal !== true || !op.text || (!op.text.startsWith('/') && cwd === undefined)) continue;
          if (c.name === '.' && !op.text.includes('/')) continue; // `. file` searches PATH
          const abs = posix.resolve(cwd ?? '/', op.text);
          if (mounts.some((m) => abs === m || abs.startsWith(m === '/' ? '/' : `${m}/`))) continue;
          if (image.pathAt(i - 1, abs).exists !== false) continue;
          if (maybeGeneratedBeforeBuild(model, df.stages, stage, contextDir, abs)) continue;
          hits.push(hit(stage, image, i, c.name, op, abs, target(op.text)));
        }
      }
      // walking on is only safe past commands that create nothing
      if (!CREATES_NOTHING.has(c.name) || writesFile(c)) return hits;
    }
  }
  return hits;
}

/** A redirection of the command opens a file for writing (not a /dev/ device, not `>&2`). */
function writesFile(c: ShellCommand): boolean {
  return (c.redirects ?? []).some((r) => {
    if (!WRITES.has(r.op) || !r.target) return false;
    if (r.op === '>&' && /^(\d+|-)$/.test(r.target.text)) return false; // duplication or close
    return !(r.target.literal === true && r.target.text.startsWith('/dev/'));
  });
}

/** The path operands of a target command. */
function operands(cmd: string, args: ShellWord[]): ShellWord[] {
  const isOption = (w: ShellWord): boolean => w.text.startsWith('-') && w.text !== '-';
  if (cmd === 'chmod') {
    if (args.some((w) => w.text.startsWith('--reference'))) return [];
    // `-x`/`-w` are modes, not options
    const ops = args.filter((w) => !(/^-[a-zA-Z]+$/.test(w.text) && !/^-[rwxXst]+$/.test(w.text)) && !w.text.startsWith('--'));
    return ops.slice(1);
  }
  if (cmd === 'chown' || cmd === 'chgrp') {
    if (args.some((w) => w.text.startsWith('--reference') || w.text.startsWith('--from'))) return [];
    return args.filter((w) => !isOption(w)).slice(1);
  }
  if (cmd === 'cp' || cmd === 'mv') {
    if (args.some((w) => w.text === '-t' || w.text.startsWith('--target-directory') || /^-[a-zA-Z]*t$/.test(w.text))) return [];
    const ops = args.filter((w) => !isOption(w));
    return ops.length >= 2 ? ops.slice(0, -1) : [];
  }
  if (cmd === 'cat') return args.filter((w) => !isOption(w) && w.text !== '-');
  if (cmd === '.') return args.slice(0, 1);
  return [];
}

function hit(stage: StageModel, image: ImageModel, i: number, cmd: string, op: ShellWord, abs: string, error: string): Hit {
  const related: RelatedLocation[] = [];
  // was it there before, and which instruction removed it?
  let had = -1;
  for (let j = i - 1; j >= 0; j--) {
    if (image.pathAt(j, abs).exists === true) {
      had = j;
      break;
    }
  }
  let why: string;
  if (had >= 0) {
    const remover = stage.instructions[had + 1];
    why = remover ? `line ${remover.loc.startLine} removes it` : 'an earlier step removes it';
    if (remover) related.push({ location: remover.loc, message: `${abs} is removed here` });
    const creator = image.pathAt(had, abs).createdBy;
    if (creator) related.push({ location: creator.loc, message: `${abs} is created here` });
  } else why = 'no earlier instruction of the stage creates it';
  const shown = op.text === abs ? abs : `${op.text} (${abs})`;
  return {
    abs,
    message: `\`${cmd}\` works on ${shown}, which does not exist at this step of the build (${why}): the build fails with "${error}".`,
    loc: op.loc,
    related,
  };
}

/** WORKDIR in force at instruction i (through `FROM <stage>`); undefined when a variable hides it. */
function workdirAt(df: DockerfileModel, stage: StageModel, image: ImageModel, i: number): string | undefined {
  let cwd: string | undefined = stage.baseStage !== undefined ? df.stages[stage.baseStage]?.workdir : (image.base?.workdir ?? '/');
  for (let j = 1; j < i; j++) {
    const ins = stage.instructions[j]!;
    if (ins.keyword !== 'WORKDIR') continue;
    const t = ins.argsText.trim();
    if (!t) continue;
    if (/[$`]/.test(t)) cwd = undefined;
    else cwd = posix.resolve(cwd ?? '/', t);
  }
  return cwd;
}

/** A Dockerfile `SHELL` with `-e` (or `-o errexit`) in force at instruction i. */
function stageShellErrexit(df: DockerfileModel, stage: StageModel, i: number): boolean {
  const chain: { s: StageModel; upTo: number }[] = [];
  for (let s: StageModel | undefined = stage, upTo = i; s && chain.length < 32; upTo = Infinity, s = s.baseStage !== undefined ? df.stages[s.baseStage] : undefined) chain.push({ s, upTo });
  for (const { s, upTo } of chain) {
    const shells = s.instructions.filter((x, j) => j < upTo && x.keyword === 'SHELL' && x.exec?.length);
    const last = shells[shells.length - 1];
    if (last) return last.exec!.some((a, k) => /^-[a-zA-Z]*e/.test(a) || (a === '-o' && last.exec![k + 1] === 'errexit'));
  }
  return false;
}

/** Targets of `RUN --mount=...` (and the default secret/ssh locations): present only while the RUN runs. */
function mountTargets(ins: DockerInstruction, cwd: string): string[] {
  const out: string[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const m = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value);
    if (m) out.push(posix.resolve(cwd, m[1]!.replace(/^["']|["']$/g, '')));
    const type = /(?:^|,)type=([^,]+)/.exec(f.value)?.[1];
    if (type === 'secret') out.push('/run/secrets');
    if (type === 'ssh') out.push('/run/buildkit');
  }
  return out;
}
