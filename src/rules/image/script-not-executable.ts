import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { CopyStep, ServiceModel, StageModel, StartScript } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, plannedServices, where } from '../runtime/_start.js';

/** `--chmod` value: true/false when it decides the execute bits, undefined when drydock cannot tell. */
function chmodExecutable(v: string): boolean | undefined {
  const t = v.trim();
  if (/^[0-7]{3,4}$/.test(t)) return (parseInt(t, 8) & 0o111) !== 0;
  if (/^[ugoa]*[+=][rwxXst]*(?:,[ugoa]*[+=-][rwxXst]*)*$/.test(t)) return /[+=][rwst]*x/.test(t) ? true : undefined;
  return undefined;
}

/** The stages whose instructions build the service's image: the stage and the stages it builds FROM. */
function chain(svc: ServiceModel, stage: StageModel): StageModel[] {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  const out: StageModel[] = [];
  for (let s: StageModel | undefined = stage; s && !out.includes(s); s = s.baseStage === undefined ? undefined : stages[s.baseStage]) out.push(s);
  return out;
}

/** A RUN that changes the mode of the script or a directory above it (`chmod +x`, `chmod 755`, `chmod -R`, `install -m`). */
function chmodedByRun(stages: StageModel[], path: string): boolean {
  const base = posix.basename(path);
  const dirs: string[] = [];
  for (let d = posix.dirname(path); d !== '/' && d !== '.'; d = posix.dirname(d)) dirs.push(d);
  for (const st of stages)
    for (const ins of st.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const text = `${ins.argsText}\n${ins.heredocs.map((h) => h.body).join('\n')}`;
      if (!/\b(?:chmod|install|setfacl)\b/.test(text)) continue;
      // the script by name, or a directory above it, anywhere in a RUN that changes modes: treat as made executable
      if (text.includes(base) || dirs.some((d) => text.includes(d)) || /\bchmod\b[^\n;&|]*\s-R\b/.test(text)) return true;
    }
  return false;
}

function copyOf(stages: StageModel[], loc: Location | undefined): CopyStep | undefined {
  if (!loc) return undefined;
  for (const st of stages) for (const c of st.copies) if (c.loc.file === loc.file && c.loc.startLine === loc.startLine && c.loc.startColumn === loc.startColumn) return c;
  return undefined;
}

/** Why the script has no execute bit in the container, or undefined when that is not certain. */
function notExecutable(svc: ServiceModel, script: StartScript): { why: string; copy?: CopyStep } | undefined {
  if (script.providedBy === 'bind-mount') {
    return script.gitMode === 0o100644 ? { why: `git tracks ${script.repoPath} as 100644 (not executable) and the bind mount shows the checkout's file as it is` } : undefined;
  }
  const stage = svc.runtime.stage;
  if (!stage) return undefined;
  const stages = chain(svc, stage);
  const copy = copyOf(stages, script.copyLoc);
  if (!copy || copy.from !== undefined || copy.heredoc) return undefined;
  const img = stage.image?.finalPath(script.path);
  if (img?.executable === true) return undefined;
  if (chmodedByRun(stages, script.path)) return undefined;
  if (script.copyChmod !== undefined) {
    const x = chmodExecutable(script.copyChmod);
    return x === false ? { why: `\`--chmod=${script.copyChmod}\` on the ${copy.keyword} sets no execute bit`, copy } : undefined;
  }
  if (script.gitMode === 0o100644) return { why: `git tracks ${script.repoPath} as 100644 (not executable) and ${copy.keyword} keeps the mode of the checked-out file`, copy };
  return undefined;
}

export default defineRule({
  meta: {
    id: 'image/script-not-executable',
    severity: 'high',
    title: 'start script is executed directly but has no execute bit',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'The container executes a script directly (`ENTRYPOINT ["/entrypoint.sh"]`, `exec ./start.sh`) that reaches the image without an execute bit: git tracks it as 100644 and neither `COPY --chmod` nor a `RUN chmod` adds one (or `--chmod` sets a mode without one).',
      why: 'COPY keeps the permission bits of the file in the build context, and a checkout gives a file the mode git records (100644 unless it was committed executable; Windows checkouts cannot even show the bit). Executing a file needs an execute bit, even for root: "The CAP_DAC_OVERRIDE capability overrides all permission checking, but grants execute permission only when at least one of the file\'s three execute permission bits is set." The container fails at start with `exec /entrypoint.sh: permission denied` (or `... permission denied: unknown` from the runtime) and restarts in a loop. A script run through an interpreter (`sh /entrypoint.sh`) needs no execute bit and is not reported; without git facts (no repository) the rule stays silent unless `--chmod` itself lacks the bit.',
      fix: 'Record the bit in git (`git update-index --chmod=+x <script>` and commit), or set it in the image: `COPY --chmod=755 <script> <dest>` (BuildKit) or `RUN chmod +x <dest>`, or run it through a shell: `ENTRYPOINT ["sh", "/entrypoint.sh"]`.',
      verify: 'git ls-files -s <script>   # 100755\ndocker compose -f <files> run --rm --entrypoint ls <service> -l <script path in image>',
      references: [
        { title: 'Dockerfile reference: COPY --chmod', url: 'https://docs.docker.com/reference/dockerfile/#copy---chmod' },
        { title: 'path_resolution(7): execute permission needs at least one execute bit, even with CAP_DAC_OVERRIDE', url: 'https://man7.org/linux/man-pages/man7/path_resolution.7.html' },
        { title: 'execve(2): EACCES when execute permission is denied', url: 'https://man7.org/linux/man-pages/man2/execve.2.html' },
        { title: 'git update-index --chmod=(+|-)x', url: 'https://git-scm.com/docs/git-update-index#Documentation/git-update-index.txt---chmod-x' },
      ],
      fixSafety: 'Unsafe: the fix adds `--chmod=755` to the COPY/ADD that brings in the script (only when that instruction copies this one file), which requires BuildKit: the classic builder rejects the flag ("the --chmod option requires BuildKit"). Committing the execute bit in git is the better fix and cannot be expressed as a text edit.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nCOPY --chmod=644 docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nCOPY --chmod=755 docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
        },
      },
    },
  },
  check({ model, report }) {
    const seen = new Set<string>();
    for (const { env, svc, plan } of plannedServices(model))
      for (const script of plan.scripts) {
        if (script.invocation !== 'direct') continue;
        const bad = notExecutable(svc, script);
        if (!bad) continue;
        const location = bad.copy?.loc ?? script.loc;
        const key = `${script.path}@${where(location)}`;
        if (seen.has(`${env.name}\0${key}`)) continue;
        seen.add(`${env.name}\0${key}`);
        let fix: Fix | undefined;
        const c = bad.copy;
        const ctx = svc.build?.context;
        const rel = ctx === undefined ? undefined : ctx === '' ? script.repoPath : script.repoPath.startsWith(`${ctx}/`) ? script.repoPath.slice(ctx.length + 1) : undefined;
        const onlyThisFile = c !== undefined && c.sources.length === 1 && rel !== undefined && posix.normalize(c.sources[0]!.value).replace(/^\.\//, '') === rel;
        if (c && onlyThisFile && c.chmod === undefined && c.instruction.flags.every((f) => f.name !== 'chmod')) {
          const kw = c.instruction.keywordLoc;
          const df = svc.runtime.dockerfile;
          if (kw?.endLine !== undefined && kw.endColumn !== undefined && df && df.path === c.loc.file) {
            const at = df.source.offsetOf(kw.endLine, kw.endColumn);
            if (/^[ \t]/.test(df.source.text.slice(at, at + 1))) fix = { description: `Copy ${script.repoPath} with --chmod=755`, safety: 'unsafe', edits: [{ file: df.path, start: at, end: at, text: ' --chmod=755' }] };
          }
        }
        report({
          message: `${script.path} is executed directly (${where(script.loc)}) but has no execute bit in the container: ${bad.why}. The container fails to start with "exec ${script.path}: permission denied".`,
          location,
          environment: env.name,
          service: svc.name,
          related: [
            { location: script.loc, message: `${script.path} is executed here` },
            { location: { file: script.repoPath }, message: 'the script in the repository' },
          ],
          ...(fix ? { fix } : {}),
          verify: [`git ls-files -s ${script.repoPath}`, `docker compose ${composeFlags(env)} run --rm --entrypoint ls ${svc.name} -l ${script.path}`],
          key,
        });
      }
  },
});
