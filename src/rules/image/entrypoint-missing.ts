import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { ImageModel, ServiceModel, StageModel, StartOrigin, StartPlan } from '../../model/types.js';
import { defineRule, type FindingInput } from '../define-rule.js';
import { argvRunsDirectly, maybeGeneratedBeforeBuild, mountedOver, pathProgramMissing, knownImageServices, addServiceToSeen } from './_exec.js';

const ORIGIN: Record<StartOrigin, string> = {
  'dockerfile-entrypoint': 'ENTRYPOINT',
  'dockerfile-cmd': 'CMD',
  'compose-entrypoint': 'compose `entrypoint`',
  'compose-command': 'compose `command`',
  script: 'script',
};

interface Candidate {
  /** the program as written */
  prog: string;
  abs: string;
  cwd: string;
  origin: StartOrigin;
  loc: Location;
  /** the script line that runs it (`exec "$@"`) when it reaches the container through a script */
  via?: Location;
  /** the shell of a shell-form instruction */
  shellForm: boolean;
}

export default defineRule({
  meta: {
    id: 'image/entrypoint-missing',
    severity: 'critical',
    title: 'The ENTRYPOINT or CMD program path does not exist in the image',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The program that the Dockerfile `ENTRYPOINT`/`CMD` (or the compose `entrypoint`/`command`) starts is a path that nothing in the final image provides: an absolute path no COPY or RUN creates, a relative `./start.sh` that is not in the WORKDIR, or `/bin/sh` for a shell-form instruction on an image without a shell.',
      why: 'Docker executes the first word of ENTRYPOINT + CMD inside the container, resolving a relative path against the working directory. When the file is not there the runtime refuses to create the container: `OCI runtime create failed: ... exec: "/entrypoint.sh": stat /entrypoint.sh: no such file or directory`, and the container exits at once (restart policies then loop on it). A shell-form `CMD`/`ENTRYPOINT` runs `/bin/sh -c`, which distroless and scratch images do not have. The image is read as the Dockerfile leaves it: files copied to another path (`COPY entrypoint.sh /usr/local/bin/`), copied into an earlier stage only, removed by a later `RUN`, or left out by `.dockerignore` are not there. Paths a compose volume or bind mount covers, and files that look generated before the build (`dist/`, git-ignored files), are not reported.',
      fix: 'Point ENTRYPOINT/CMD at the path the Dockerfile copies the file to (or copy it where the instruction expects it), copy it into the stage the service runs, and use the exec form on images without a shell.',
      verify: 'docker compose -f <files> up -d <service> && docker compose -f <files> ps <service>   # running, not "Exited (127)"',
      references: [
        { title: 'Dockerfile reference: ENTRYPOINT and CMD (exec and shell form)', url: 'https://docs.docker.com/reference/dockerfile/#entrypoint' },
        { title: 'Compose services: entrypoint and command override the image', url: 'https://docs.docker.com/reference/compose-file/services/#entrypoint' },
        { title: 'runc libcontainer: exec of a missing path fails with "no such file or directory"', url: 'https://github.com/opencontainers/runc/blob/main/libcontainer/standard_init_linux.go' },
        { title: 'distroless README: use the exec (vector) form, there is no shell', url: 'https://github.com/GoogleContainerTools/distroless/blob/main/README.md' },
      ],
      example: {
        bad: {
          'compose.yaml': 'services:\n  web:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY --chmod=755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
        },
        good: {
          'compose.yaml': 'services:\n  web:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY --chmod=755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh\nENTRYPOINT ["/usr/local/bin/entrypoint.sh"]\nCMD ["python", "-m", "http.server"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const seen = new Map<string, FindingInput>();
      for (const { svc, plan, stage, image } of knownImageServices(env.services)) {
        for (const c of candidates(plan, image)) {
          if (mountedOver(svc, c.abs)) continue;
          if (!pathProgramMissing(image, c.abs)) continue;
          if (maybeGeneratedBeforeBuild(model, svc.runtime.dockerfile?.stages ?? [], stage, svc.build?.context, c.abs)) continue;
          const key = `${c.loc.file}:${c.loc.startLine ?? 0}:${c.abs}`;
          if (addServiceToSeen(seen, key, svc.name)) continue;
          const f = finding(svc, stage, image, c);
          f.environment = env.name;
          f.verify = [`docker compose ${env.composeFiles.map((x) => `-f ${x}`).join(' ')} up -d ${svc.name} && docker compose ${env.composeFiles.map((x) => `-f ${x}`).join(' ')} ps ${svc.name}`];
          seen.set(key, f);
        }
      }
      for (const f of seen.values()) report(f);
    }
  },
});

/** The program paths the ENTRYPOINT/CMD/compose words make the container execute. */
function candidates(plan: StartPlan, image: ImageModel): Candidate[] {
  const out: Candidate[] = [];
  const direct = argvRunsDirectly(plan, image);
  const first = plan.entrypoint ?? plan.cmd;
  const argv0 = plan.argv[0];
  if (direct && first && argv0 && argv0.includes('/') && !/[$`]/.test(argv0)) {
    out.push({ prog: argv0, abs: posix.resolve(plan.cwd, argv0), cwd: plan.cwd, origin: first.origin, loc: first.loc, shellForm: first.form === 'shell' });
  }
  for (const s of plan.steps) {
    if (s.origin === 'script') continue; // a script's own lines: image/executable-missing
    if (s.depth === 0 && !direct) continue;
    if (s.conditional && s.conditionHolds !== true) continue;
    const prog = s.argv[0];
    if (!prog || !prog.includes('/') || /[$`]/.test(prog)) continue;
    const abs = posix.resolve(s.cwd, prog);
    if (out.some((o) => o.abs === abs)) continue;
    out.push({ prog, abs, cwd: s.cwd, origin: s.origin, loc: s.loc, ...(s.via ? { via: s.via } : {}), shellForm: false });
  }
  return out;
}

function finding(svc: ServiceModel, stage: StageModel, image: ImageModel, c: Candidate): FindingInput {
  const what = ORIGIN[c.origin];
  const related: RelatedLocation[] = [];
  if (c.via) related.push({ location: c.via, message: 'the script runs it here' });
  if (c.origin.startsWith('compose')) related.push({ location: stage.loc, message: `the Dockerfile stage the service runs${stage.name ? ` ("${stage.name}")` : ''}` });
  let message: string;
  if (c.shellForm) {
    const base = rootBase(svc, stage);
    message = `Service "${svc.name}": the shell-form ${what} runs \`${c.prog} -c\`, but ${base} has no ${c.prog}: the container fails to start with 'exec: "${c.prog}": stat ${c.prog}: no such file or directory'. Use the exec form (\`${what === 'CMD' || what === 'ENTRYPOINT' ? `${what} ["program", "arg"]` : '["program", "arg"]'}\`).`;
  } else {
    const hint = elsewhere(stage, image, c.abs);
    const rel = c.prog.startsWith('/') ? '' : ` (${c.prog} in the working directory ${c.cwd})`;
    const err = c.via
      ? `the script fails with "${c.prog}: not found"`
      : `the container fails to start with 'exec: "${c.prog}": stat ${c.prog}: no such file or directory'`;
    message = `Service "${svc.name}": the ${what} runs ${c.abs}${rel}, which does not exist in the image: ${err}.${hint ? ` ${hint.text}` : ''}`;
    if (hint) related.push({ location: hint.loc, message: hint.short });
  }
  return { message, location: c.loc, service: svc.name, related, key: `${svc.name}:${c.abs}` };
}

/** The external image at the root of the stage chain, as written. */
function rootBase(svc: ServiceModel, stage: StageModel): string {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  let s = stage;
  for (let i = 0; s.baseStage !== undefined && stages[s.baseStage] && i < 32; i++) s = stages[s.baseStage]!;
  return s.base.raw;
}

/** The Dockerfile puts a file of the same name somewhere else: say where. */
function elsewhere(stage: StageModel, image: ImageModel, abs: string): { text: string; short: string; loc: Location } | undefined {
  const name = posix.basename(abs);
  for (const c of [...stage.copies].reverse()) {
    for (const s of c.sources) {
      if (posix.basename(s.value.replace(/\/+$/, '')) !== name) continue;
      const dest = posix.normalize(c.dest);
      const landing = c.dest.endsWith('/') || c.sources.length > 1 || image.finalPath(dest).kind === 'dir' ? posix.join(dest, name) : dest;
      if (landing === abs || image.finalPath(landing).exists !== true) continue;
      return { text: `The Dockerfile copies ${name} to ${landing}.`, short: `${name} is copied to ${landing} here`, loc: c.loc };
    }
  }
  return undefined;
}
