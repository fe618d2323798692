import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import { imageFileSource } from '../../model/image-files.js';
import type { ProjectModel, ServiceModel, StageModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { appendWords, baseKnown, certainlyRuns, composeFlags, plannedServices, runMentions, serverArgvPlausible, where } from './_start.js';
import { pathsUnder } from '../../model/tree-index.js';

const CONF = 'gunicorn.conf.py';

/** The repository's gunicorn.conf.py files inside the build context that the build sends (not excluded by .dockerignore). */
function contextConfigs(model: ProjectModel, svc: ServiceModel): string[] {
  const ctx = svc.build?.context;
  if (ctx === undefined) return [];
  const prefix = ctx === '' ? '' : `${ctx}/`;
  const ignore = svc.build?.dockerignore;
  return pathsUnder(model.tree.files, ctx).filter((f) => posix.basename(f) === CONF && !ignore?.excludes(f.slice(prefix.length)));
}

/** Where the image holds a repository file: candidates from each COPY/ADD, confirmed by replaying the copies. */
function imagePathOf(model: ProjectModel, svc: ServiceModel, stage: StageModel, repoPath: string): string | undefined {
  const ctx = svc.build?.context;
  const stages = svc.runtime.dockerfile?.stages;
  if (ctx === undefined || !stages) return undefined;
  const rel = ctx === '' ? repoPath : repoPath.slice(ctx.length + 1);
  const chain: StageModel[] = [];
  for (let s: StageModel | undefined = stage; s && !chain.includes(s); s = s.baseStage === undefined ? undefined : stages[s.baseStage]) chain.push(s);
  const candidates = new Set<string>();
  for (const st of chain)
    for (const c of st.copies) {
      if (c.from !== undefined || c.heredoc) continue;
      for (const src of c.sources) {
        const s = posix.normalize(src.value).replace(/^\.\/?/, '').replace(/\/$/, '');
        if (/[*?[]/.test(s)) continue;
        if (s === '' || rel.startsWith(`${s}/`)) candidates.add(posix.join(c.dest, s === '' ? rel : rel.slice(s.length + 1)));
        else if (s === rel) {
          candidates.add(c.dest);
          candidates.add(posix.join(c.dest, posix.basename(rel)));
        }
      }
    }
  const opts = { tree: model.tree, stages, ...(svc.build?.dockerignore ? { dockerignore: svc.build.dockerignore } : {}) };
  const found = [...candidates].filter((p) => p.startsWith('/') && imageFileSource(stage, ctx, p, opts)?.repoPath === repoPath);
  return found.length === 1 ? found[0] : undefined;
}

export default defineRule({
  meta: {
    id: 'runtime/server-config-unused',
    severity: 'medium',
    title: 'gunicorn.conf.py exists but gunicorn never loads it',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'The build context holds a `gunicorn.conf.py`, but the gunicorn that the service starts neither finds it in its working directory nor is told about it with `-c/--config` (on the command line or in GUNICORN_CMD_ARGS).',
      why: 'gunicorn reads a config file only from `-c PATH`, or by default `./gunicorn.conf.py` in the directory it is started from (gunicorn/config.py `get_default_config_file`: `os.path.join(os.getcwd(), "gunicorn.conf.py")`). A file copied elsewhere in the image (`/app/config/gunicorn.conf.py` while WORKDIR is `/app`), or not copied at all, is silently ignored: gunicorn runs with its defaults (bind 127.0.0.1:8000, one sync worker, 30 s timeout), not with the workers, bind address, timeouts or hooks the file sets. A file that is in the working directory is loaded without `-c` and is not reported.',
      fix: 'Start gunicorn with `-c <path of the file in the image>`, or copy the file into the working directory (`COPY gunicorn.conf.py ./`).',
      verify: 'docker compose -f <files> logs <service> | grep -E "Listening at|Using worker|Booting worker"   # the bind address, worker class and worker count the file sets',
      references: [
        { title: 'gunicorn settings: config (default ./gunicorn.conf.py)', url: 'https://docs.gunicorn.org/en/stable/settings.html#config' },
        { title: 'gunicorn configuration overview (configuration file, precedence)', url: 'https://docs.gunicorn.org/en/stable/configure.html' },
        { title: 'gunicorn/config.py: get_default_config_file reads gunicorn.conf.py from os.getcwd()', url: 'https://github.com/benoitc/gunicorn/blob/master/gunicorn/config.py' },
      ],
      fixSafety: 'Only when the file is in the image at one known path and the gunicorn command is an exec-form CMD/ENTRYPOINT, a compose list or a compose string whose words reach gunicorn unchanged: the fix appends `-c <that path>`, which makes gunicorn load the file the repository already ships. The file\'s settings then apply (that is the point); review them if they were written for another environment.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install flask gunicorn\nCOPY . .\nCMD ["gunicorn", "app:app"]\n',
          'config/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 4\n',
          'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install flask gunicorn\nCOPY . .\nCMD ["gunicorn", "app:app", "-c", "/app/config/gunicorn.conf.py"]\n',
          'config/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 4\n',
          'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const { env, svc, plan } of plannedServices(model)) {
      const stage = svc.runtime.stage;
      if (!stage) continue;
      for (const s of plan.servers) {
        if (s.kind !== 'gunicorn' || s.configFileExplicit !== false || s.configFileExists !== false || runMentions(svc, 'gunicorn.conf')) continue;
        const step = plan.steps[s.step]!;
        if (!certainlyRuns(step) || !serverArgvPlausible(s, step) || !baseKnown(svc)) continue;
        const confs = contextConfigs(model, svc);
        if (confs.length !== 1) continue;
        // another gunicorn of this environment loads a config file: the file may be meant for it
        const loadedElsewhere = env.services.some((o) => o !== svc && o.enabled && o.start?.servers.some((x) => x.kind === 'gunicorn' && (x.configFileExists === true || (x.configFileExplicit === true && posix.basename(x.configFile ?? '') === CONF))));
        if (loadedElsewhere) continue;
        const repoPath = confs[0]!;
        const imagePath = imagePathOf(model, svc, stage, repoPath);
        // the model said no file at the default path; do not contradict it
        if (imagePath === s.configFile) continue;
        let fix: Fix | undefined;
        if (imagePath) {
          const edits = appendWords(model, svc, plan, step, ['-c', imagePath]);
          if (edits) fix = { description: `Load the config file: add \`-c ${imagePath}\` to the gunicorn command`, safety: 'safe', edits };
        }
        const where_ = imagePath ? `the image has it at ${imagePath}` : `the image does not contain it (no COPY brings it in)`;
        report({
          message: `${repoPath} is never loaded: gunicorn in service "${svc.name}" starts in ${step.cwd} without \`-c\`, so it looks only for ${s.configFile}, and ${where_}. gunicorn runs with its defaults instead of the settings in the file.`,
          location: step.loc,
          environment: env.name,
          service: svc.name,
          related: [{ location: { file: repoPath }, message: 'the unused config file' }],
          ...(fix ? { fix } : {}),
          verify: [`docker compose ${composeFlags(env)} logs ${svc.name} | grep -E "Listening at|Using worker|Booting worker"`],
          key: `${repoPath}@${where(step.loc)}`,
        });
      }
    }
  },
});
