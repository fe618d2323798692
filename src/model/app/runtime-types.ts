/**
 * What a Python service really runs, resolved in its image (model/app/python-runtime.ts): the
 * modules its start commands name, the Celery app `-A` finds, the Django settings module the
 * process selects and the path settings it computes, the Django commands its image build runs,
 * and the reverse-proxy configurations (nginx, Caddy) bind-mounted into other services.
 * Re-exported by model/types.ts.
 */
import type { Location } from '../../core/location.js';
import type { ModuleResolution } from './python-modules.js';

/** A module (or directory) a start command or the environment names. */
export interface ModuleReference {
  /**
   * - `app`: a server's application (`gunicorn pkg.mod:app`, `uvicorn app.main:app`)
   * - `settings`: a Django settings module (`--settings=…`, DJANGO_SETTINGS_MODULE, a setdefault)
   * - `main`: `python -m mod`
   * - `chdir`: gunicorn `--chdir DIR` (a directory, not a module)
   */
  kind: 'app' | 'settings' | 'main' | 'chdir';
  /** the dotted module, or the directory for `chdir` (as written) */
  name: string;
  /** the program that imports it: `gunicorn`, `uvicorn`, `manage.py`, `python -m`, `celery` */
  tool: string;
  /** index of the start step */
  step: number;
  /** where the name is written (the command word, the env value, the setdefault literal) */
  loc: Location;
  /** module references: the resolution; chdir: status only */
  result: ModuleResolution;
  /** the directory a `chdir` names, resolved (image path) */
  dir?: string;
}

export type CeleryAppStatus = 'found' | 'module-missing' | 'no-app' | 'unknown';

/** `celery -A X` resolved by Celery's own rules (celery/app/utils.py `find_app`). */
export interface CeleryAppFact {
  /** the `-A`/`--app` value (or CELERY_APP) */
  app: string;
  status: CeleryAppStatus;
  /** where it is written */
  loc: Location;
  step: number;
  /** worker or beat */
  command: string;
  /** found: `blog.celery:app` */
  resolved?: string;
  /** the module resolution behind module-missing */
  module?: ModuleResolution;
  /** no-app: the names Celery tried, in its order */
  tried?: string[];
  /** the repository file of the module that has no app */
  repoPath?: string;
  /** module-missing / no-app: `-A` values that would find an app in this image (`blog`) */
  suggestions?: string[];
  reason?: string;
}

/** Where a Django process gets DJANGO_SETTINGS_MODULE. */
export type SettingsSource = 'settings-flag' | 'code-assignment' | 'command-env' | 'environment' | 'env_file' | 'dockerfile' | 'setdefault';

export interface SettingsSelection {
  /** the dotted module; undefined when unknown or unset */
  module?: string;
  status: 'set' | 'unset' | 'unknown';
  source?: SettingsSource;
  /** where the value is written */
  loc?: Location;
  /** the code's default (`os.environ.setdefault(...)` on the import path), when it is not what wins */
  codeDefault?: { module: string; loc: Location };
  /** earlier definitions the winning value replaced (base compose file, Dockerfile ENV) */
  overrode?: { value: string | null; loc: Location }[];
  reason?: string;
}

export interface PathSettingEntry {
  /** the setting (`STATICFILES_DIRS`, `TEMPLATES DIRS`, `LOCALE_PATHS`) */
  setting: string;
  /** absolute path in the container */
  path: string;
  /** the list element (or assignment) that produces it */
  loc: Location;
  /** the expression as written */
  text: string;
  /** built as `<name> / "tail"` (BASE_DIR / "static") */
  from?: { name: string; base: string; tail: string[] };
  /** the directory exists in the container: true, false, or undefined when unknown */
  exists?: boolean;
  /** when missing: the same tail under an ancestor of the base does exist (BASE_DIR one level off) */
  alternative?: { path: string; base: string; levelsUp: number };
  /** when missing: repository directories (inside the build context) with the same name, which the image does not put there */
  inRepo?: string[];
}

/** A settings value with where it is assigned. */
export interface SettingFact<T> {
  value: T;
  loc: Location;
  /** the expression as written */
  text: string;
}

/** The Django settings a process runs with, evaluated with its environment and `__file__` in the image. */
export interface DjangoSettingsFacts {
  module: string;
  /** the settings module's path in the image and in the repository */
  imagePath: string;
  repoPath: string;
  /** the modules whose assignments apply, the selected one first, then what it star-imports */
  files: string[];
  /** the namespace could not be followed (globals(), exec, split-settings): values are unknown */
  opaque: boolean;
  baseDir?: SettingFact<string> & { up?: number };
  staticRoot?: SettingFact<string>;
  mediaRoot?: SettingFact<string>;
  staticUrl?: SettingFact<string>;
  mediaUrl?: SettingFact<string>;
  /** STORAGES["staticfiles"]["BACKEND"], else STATICFILES_STORAGE, else Django's default */
  staticStorage?: SettingFact<string> & { defaulted?: boolean };
  debug?: SettingFact<boolean>;
  /** path entries of STATICFILES_DIRS, TEMPLATES[*]["DIRS"] and LOCALE_PATHS that evaluate */
  pathEntries: PathSettingEntry[];
  /** INSTALLED_APPS entries that evaluate to strings, with whether the app ships migrations in the image (undefined: unknown, or a third-party app) */
  installedApps?: { name: string; loc?: Location; migrations?: boolean }[];
  /** every top-level name the selected module assigns itself (not inherited), with its location */
  ownNames: { name: string; loc: Location; text: string }[];
  /** modules the selected one star-imports, transitively (repository paths) */
  inherits: string[];
}

/** A Django settings module that looks like the production variant (`settings/production.py`). */
export interface ProductionSettingsCandidate {
  module: string;
  repoPath: string;
  /** what it sets itself: `DEBUG = False`, `STORAGES = {...}` (at most a few) */
  sets: { name: string; text: string; loc: Location }[];
}

export interface DjangoRuntime {
  /** the step the facts are for (the server, else the last Django command) */
  step: number;
  /** the program (`gunicorn`, `manage.py runserver`, `celery worker`) */
  program: string;
  selection: SettingsSelection;
  /** the selected module resolved in the image */
  resolution?: ModuleResolution;
  settings?: DjangoSettingsFacts;
  /** production-like siblings of the selected module that the process does not load */
  productionCandidates: ProductionSettingsCandidate[];
  /** the process serves HTTP (gunicorn, uvicorn, daphne, hypercorn, runserver) */
  servesHttp: boolean;
  /** the start path itself runs `collectstatic` (with the runtime's settings) */
  collectsAtStart: boolean;
}

/** A Django management command the image build runs (`RUN python manage.py collectstatic`). */
export interface DjangoBuildCommand {
  command: 'collectstatic' | 'compress' | 'compilemessages';
  /** the RUN instruction */
  loc: Location;
  stage: number;
  selection: SettingsSelection;
  settings?: DjangoSettingsFacts;
}

export interface ServicePython {
  references: ModuleReference[];
  celery: CeleryAppFact[];
  django?: DjangoRuntime;
  djangoBuild: DjangoBuildCommand[];
}

/** A URL prefix a reverse proxy serves from a directory. */
export interface ProxyRoute {
  /** the location prefix (`/static/`) */
  prefix: string;
  /** `alias`: the prefix maps onto dir; `root`: dir + the whole URI path */
  mode: 'alias' | 'root';
  dir: string;
  loc: Location;
}

export interface ProxyConfig {
  environment: string;
  service: string;
  server: 'nginx' | 'caddy';
  /** the repository files read */
  files: string[];
  routes: ProxyRoute[];
}
