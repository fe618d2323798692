/**
 * Python import names → the distributions that provide them, and the standard library.
 * Source: shared KNOWLEDGE.md §3 (rows transcribed with their confidence and source). Only pairs
 * that still differ after PEP 503 normalisation need a row (`flask_sqlalchemy` = Flask-SQLAlchemy
 * is found by normalising). Source codes: W = the distribution's wheel metadata (top_level.txt /
 * RECORD), R = its repository packaging file, D = its docs, P = bndr/pipreqs:pipreqs/mapping
 * (secondary).
 *
 * Confidence: V verified in a primary source, S secondary. Alternatives marked unverified (U in
 * KNOWLEDGE.md) are kept apart in `unverified`: they are never required, but when one of them is
 * declared a rule must stay silent (it may well provide the module).
 */
export type Confidence = 'V' | 'S';

export interface ImportRow {
  /** import names (a top-level module, or a dotted prefix such as `google.cloud.storage`) */
  imports: string[];
  /** distributions that provide it: any one of them satisfies the import */
  dists: string[];
  /** distributions that may also provide it (U): declaring one silences a rule, never required */
  unverified?: string[];
  conf: Confidence;
  source: string;
  note?: string;
}

const P = 'P: bndr/pipreqs:pipreqs/mapping';

export const IMPORT_TABLE: readonly ImportRow[] = [
  { imports: ['yaml', '_yaml'], dists: ['PyYAML'], conf: 'V', source: 'W PyYAML 6.0.3 (`_yaml`, `yaml`); P' },
  { imports: ['dateutil'], dists: ['python-dateutil'], conf: 'V', source: 'W python-dateutil 2.9.0.post0; P' },
  { imports: ['dotenv'], dists: ['python-dotenv'], conf: 'V', source: 'W python-dotenv 1.2.2; P' },
  { imports: ['attr', 'attrs'], dists: ['attrs'], conf: 'V', source: 'W attrs 26.1.0' },
  { imports: ['IPython'], dists: ['ipython'], conf: 'V', source: 'W ipython 8.12.3; P' },
  { imports: ['graphql'], dists: ['graphql-core'], conf: 'V', source: 'W graphql-core 3.2.8' },
  { imports: ['cpuinfo'], dists: ['py-cpuinfo'], conf: 'V', source: 'W py-cpuinfo 9.0.0' },
  { imports: ['samtranslator'], dists: ['aws-sam-translator'], conf: 'V', source: 'W aws-sam-translator 1.110.0; P' },
  { imports: ['cfnlint'], dists: ['cfn-lint'], conf: 'V', source: 'W cfn-lint 1.51.0; P' },
  { imports: ['rpds'], dists: ['rpds-py'], conf: 'V', source: 'W rpds-py 0.30.0' },
  { imports: ['pkg_resources', '_distutils_hack'], dists: ['setuptools'], conf: 'V', source: 'W setuptools 65.5.0', note: 'not preinstalled on python:3.12+ images (KNOWLEDGE §1.4)' },
  { imports: ['_cffi_backend'], dists: ['cffi'], conf: 'V', source: 'W cffi 2.0.0' },
  { imports: ['antlr4'], dists: ['antlr4-python3-runtime'], conf: 'V', source: 'W antlr4-python3-runtime 4.13.2; P' },
  { imports: ['isympy'], dists: ['sympy'], conf: 'V', source: 'W sympy 1.14.0' },
  { imports: ['py'], dists: ['pytest', 'py'], conf: 'V', source: 'W pytest 9.0.3 (`_pytest`, `py`, `pytest`)', note: 'pytest ships a `py` shim' },
  { imports: ['jose'], dists: ['python-jose'], conf: 'V', source: 'R mpdavis/python-jose:setup.py (`name="python-jose"`, packages from `jose`)' },
  { imports: ['MySQLdb'], dists: ['mysqlclient'], conf: 'V', source: 'R PyMySQL/mysqlclient:pyproject.toml (`name = "mysqlclient"`, `include = ["MySQLdb*"]`)' },
  { imports: ['jwt'], dists: ['PyJWT'], unverified: ['jwt'], conf: 'V', source: 'R jpadilla/pyjwt (coverage `source = ["jwt"]`); P', note: 'a distribution named `jwt` also installs a `jwt` module (U)' },
  { imports: ['multipart'], dists: ['python-multipart'], conf: 'V', source: 'R Kludex/python-multipart:pyproject.toml', note: 'newer releases may also ship `python_multipart` (U), which normalises to the distribution name anyway' },
  { imports: ['docx'], dists: ['python-docx'], conf: 'V', source: 'R python-openxml/python-docx:pyproject.toml' },
  { imports: ['corsheaders'], dists: ['django-cors-headers'], conf: 'V', source: 'R adamchainz/django-cors-headers:pyproject.toml (coverage source `corsheaders`)' },
  { imports: ['environ'], dists: ['django-environ'], conf: 'V', source: "R joke2k/django-environ:setup.py (`name='django-environ'`)" },
  { imports: ['django_filters'], dists: ['django-filter'], conf: 'V', source: 'D encode/django-rest-framework:docs/api-guide/filtering.md' },
  { imports: ['nacl'], dists: ['PyNaCl'], conf: 'V', source: 'R pyca/pynacl:setup.py' },
  { imports: ['argon2'], dists: ['argon2-cffi'], conf: 'V', source: 'R hynek/argon2-cffi:pyproject.toml (`packages = ["src/argon2"]`)' },
  { imports: ['fitz', 'pymupdf'], dists: ['PyMuPDF'], conf: 'V', source: 'D pymupdf.readthedocs.io installation; Ubuntu python3-fitz' },
  { imports: ['skimage'], dists: ['scikit-image'], conf: 'V', source: 'R scikit-image/scikit-image (`skimage/__init__.py`)' },
  { imports: ['grpc'], dists: ['grpcio'], conf: 'V', source: 'R grpc/grpc:src/python/grpcio/grpc/__init__.py' },
  { imports: ['google.cloud.storage'], dists: ['google-cloud-storage'], conf: 'V', source: 'R googleapis/python-storage (`google/cloud/storage/__init__.py`)' },
  { imports: ['psycopg2'], dists: ['psycopg2', 'psycopg2-binary'], conf: 'V', source: 'D https://psycopg.org/docs/install.html' },
  { imports: ['psycopg'], dists: ['psycopg'], unverified: ['psycopg-binary'], conf: 'V', source: 'D https://www.psycopg.org/psycopg3/docs/basic/install.html' },
  { imports: ['rest_framework'], dists: ['djangorestframework'], conf: 'S', source: P },
  { imports: ['bs4'], dists: ['beautifulsoup4'], unverified: ['bs4'], conf: 'S', source: P },
  { imports: ['PIL'], dists: ['Pillow'], conf: 'S', source: P },
  { imports: ['cv2'], dists: ['opencv-python'], unverified: ['opencv-python-headless', 'opencv-contrib-python', 'opencv-contrib-python-headless'], conf: 'S', source: P },
  { imports: ['sklearn'], dists: ['scikit-learn'], conf: 'S', source: P },
  { imports: ['Crypto'], dists: ['pycryptodome'], unverified: ['pycrypto'], conf: 'S', source: P, note: 'legacy pycrypto also provides it' },
  { imports: ['Cryptodome'], dists: ['pycryptodomex'], conf: 'S', source: P },
  { imports: ['OpenSSL'], dists: ['pyOpenSSL'], conf: 'S', source: P },
  { imports: ['magic'], dists: ['python-magic'], conf: 'S', source: P },
  { imports: ['git'], dists: ['GitPython'], conf: 'S', source: P },
  { imports: ['github'], dists: ['PyGithub'], conf: 'S', source: P },
  { imports: ['googleapiclient'], dists: ['google-api-python-client'], conf: 'S', source: P },
  { imports: ['google.protobuf'], dists: ['protobuf'], conf: 'S', source: `${P} (\`google:protobuf\`)` },
  { imports: ['dns'], dists: ['dnspython'], conf: 'S', source: P },
  { imports: ['ldap'], dists: ['python-ldap'], conf: 'S', source: P },
  { imports: ['serial'], dists: ['pyserial'], conf: 'S', source: P },
  { imports: ['usb'], dists: ['pyusb'], conf: 'S', source: P },
  { imports: ['zmq'], dists: ['pyzmq'], conf: 'S', source: P },
  { imports: ['telegram'], dists: ['python-telegram-bot'], conf: 'S', source: P },
  { imports: ['telebot'], dists: ['pyTelegramBotAPI'], conf: 'S', source: P },
  { imports: ['socketio'], dists: ['python-socketio'], conf: 'S', source: P },
  { imports: ['engineio'], dists: ['python-engineio'], conf: 'S', source: P },
  { imports: ['websocket'], dists: ['websocket-client'], conf: 'S', source: P, note: 'not `websockets`' },
  { imports: ['storages'], dists: ['django-storages'], conf: 'S', source: P },
  { imports: ['crispy_forms'], dists: ['django-crispy-forms'], conf: 'S', source: P },
  { imports: ['mptt'], dists: ['django-mptt'], conf: 'S', source: P },
  { imports: ['taggit'], dists: ['django-taggit'], conf: 'S', source: P },
  { imports: ['reversion'], dists: ['django-reversion'], conf: 'S', source: P },
  { imports: ['model_utils'], dists: ['django-model-utils'], conf: 'S', source: P },
  { imports: ['polymorphic'], dists: ['django-polymorphic'], conf: 'S', source: P },
  { imports: ['treebeard'], dists: ['django-treebeard'], conf: 'S', source: P },
  { imports: ['haystack'], dists: ['django-haystack'], conf: 'S', source: P },
  { imports: ['decouple'], dists: ['python-decouple'], conf: 'S', source: P },
  { imports: ['memcache'], dists: ['python-memcached'], conf: 'S', source: P },
  { imports: ['paho'], dists: ['paho-mqtt'], conf: 'S', source: P },
  { imports: ['slugify'], dists: ['python-slugify', 'unicode-slugify'], conf: 'S', source: `${P} (lists both)` },
  { imports: ['Levenshtein'], dists: ['python-Levenshtein'], unverified: ['Levenshtein'], conf: 'S', source: P },
  { imports: ['hydra'], dists: ['hydra-core'], conf: 'S', source: P },
  { imports: ['pythonjsonlogger'], dists: ['python-json-logger'], conf: 'S', source: P },
  { imports: ['frontmatter'], dists: ['python-frontmatter'], conf: 'S', source: P },
  { imports: ['jpype'], dists: ['JPype1'], conf: 'S', source: P },
  { imports: ['libcloud'], dists: ['apache-libcloud'], conf: 'S', source: P },
  { imports: ['airflow'], dists: ['apache-airflow'], conf: 'S', source: P },
  { imports: ['winrm'], dists: ['pywinrm'], conf: 'S', source: P },
  { imports: ['xdg'], dists: ['pyxdg'], conf: 'S', source: P },
  { imports: ['png'], dists: ['pypng'], conf: 'S', source: P },
  { imports: ['shapefile'], dists: ['pyshp'], conf: 'S', source: P },
  { imports: ['odf'], dists: ['odfpy'], conf: 'S', source: P },
  { imports: ['OpenGL'], dists: ['PyOpenGL'], conf: 'S', source: P },
  { imports: ['sass'], dists: ['libsass'], conf: 'S', source: P },
  { imports: ['robot'], dists: ['robotframework'], conf: 'S', source: P },
  { imports: ['saml2'], dists: ['pysaml2'], conf: 'S', source: P },
  { imports: ['hamcrest'], dists: ['PyHamcrest'], conf: 'S', source: P },
  { imports: ['bson', 'gridfs'], dists: ['pymongo'], unverified: ['bson'], conf: 'S', source: P, note: 'a standalone `bson` distribution also exists (U)' },
  { imports: ['cassandra'], dists: ['cassandra-driver'], conf: 'S', source: P },
  { imports: ['elftools'], dists: ['pyelftools'], conf: 'S', source: P },
];

const BY_IMPORT = new Map<string, ImportRow>();
for (const row of IMPORT_TABLE) for (const i of row.imports) BY_IMPORT.set(i, row);

/**
 * The table row for an imported module: the longest dotted prefix that has a row
 * (`google.cloud.storage.blob` → `google.cloud.storage`), else undefined (unknown).
 */
export function importRow(module: string): { row: ImportRow; prefix: string } | undefined {
  const parts = module.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const prefix = parts.slice(0, n).join('.');
    const row = BY_IMPORT.get(prefix);
    if (row) return { row, prefix };
  }
  return undefined;
}

// ---------------------------------------------------------------- standard library

/**
 * `sys.stdlib_module_names` of CPython 3.11.7 (305 names, private ones included).
 * Source: https://docs.python.org/3/library/sys.html#sys.stdlib_module_names, read from a 3.11.7
 * interpreter. V.
 */
const STDLIB_311 =
  '__future__ _abc _aix_support _ast _asyncio _bisect _blake2 _bootsubprocess _bz2 _codecs _codecs_cn _codecs_hk _codecs_iso2022 _codecs_jp _codecs_kr _codecs_tw _collections _collections_abc _compat_pickle _compression _contextvars _crypt _csv _ctypes _curses _curses_panel _datetime _dbm _decimal _elementtree _frozen_importlib _frozen_importlib_external _functools _gdbm _hashlib _heapq _imp _io _json _locale _lsprof _lzma _markupbase _md5 _msi _multibytecodec _multiprocessing _opcode _operator _osx_support _overlapped _pickle _posixshmem _posixsubprocess _py_abc _pydecimal _pyio _queue _random _scproxy _sha1 _sha256 _sha3 _sha512 _signal _sitebuiltins _socket _sqlite3 _sre _ssl _stat _statistics _string _strptime _struct _symtable _thread _threading_local _tkinter _tokenize _tracemalloc _typing _uuid _warnings _weakref _weakrefset _winapi _zoneinfo abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb binascii bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg crypt csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo'.split(
    ' ',
  );

export interface StdlibRemoval {
  /** first Python minor version without the module */
  removedIn: string;
  conf: Confidence | 'U';
  source: string;
  /** PyPI replacements the release notes name */
  replacement?: string;
}

const REMOVED_312 = 'python/cpython:Doc/library/removed.rst and the per-module stubs (KNOWLEDGE §3.3)';
const REMOVED_313 = 'python/cpython:Doc/whatsnew/3.13.rst (PEP 594) (KNOWLEDGE §3.3)';

/** Modules removed from the standard library, by version (KNOWLEDGE §3.3). */
export const STDLIB_REMOVED: Readonly<Record<string, StdlibRemoval>> = {
  asynchat: { removedIn: '3.12', conf: 'V', source: REMOVED_312 },
  asyncore: { removedIn: '3.12', conf: 'V', source: REMOVED_312 },
  distutils: { removedIn: '3.12', conf: 'V', source: REMOVED_312, replacement: 'setuptools (its shim), which python:3.12+ images do not ship' },
  imp: { removedIn: '3.12', conf: 'V', source: REMOVED_312 },
  smtpd: { removedIn: '3.12', conf: 'V', source: REMOVED_312 },
  aifc: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'standard-aifc' },
  audioop: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'audioop-lts' },
  cgi: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'standard-cgi' },
  cgitb: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'standard-cgitb' },
  chunk: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'standard-chunk' },
  crypt: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'standard-crypt' },
  imghdr: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  mailcap: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  msilib: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  nis: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  nntplib: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  ossaudiodev: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  pipes: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  sndhdr: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  spwd: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  sunau: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  telnetlib: { removedIn: '3.13', conf: 'V', source: REMOVED_313, replacement: 'telnetlib3' },
  uu: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  xdrlib: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  lib2to3: { removedIn: '3.13', conf: 'V', source: REMOVED_313 },
  // before 3.11: not in KNOWLEDGE.md; listed only so that 3.8/3.9 code importing them is never
  // called third-party. Never used to claim a removal (U).
  binhex: { removedIn: '3.11', conf: 'U', source: 'standard knowledge (Python 3.11 whatsnew), not re-read' },
  formatter: { removedIn: '3.10', conf: 'U', source: 'standard knowledge (Python 3.10 whatsnew), not re-read' },
  parser: { removedIn: '3.10', conf: 'U', source: 'standard knowledge (Python 3.10 whatsnew), not re-read' },
  symbol: { removedIn: '3.10', conf: 'U', source: 'standard knowledge (Python 3.10 whatsnew), not re-read' },
  dummy_threading: { removedIn: '3.9', conf: 'U', source: 'standard knowledge (Python 3.9 whatsnew), not re-read' },
  _dummy_thread: { removedIn: '3.9', conf: 'U', source: 'standard knowledge (Python 3.9 whatsnew), not re-read' },
  macpath: { removedIn: '3.8', conf: 'U', source: 'standard knowledge (Python 3.8 whatsnew), not re-read' },
};

/** Modules added after 3.8 (U in KNOWLEDGE §3.3: standard knowledge, not re-read). */
export const STDLIB_ADDED: Readonly<Record<string, { addedIn: string; conf: 'U' }>> = {
  zoneinfo: { addedIn: '3.9', conf: 'U' },
  _zoneinfo: { addedIn: '3.9', conf: 'U' },
  graphlib: { addedIn: '3.9', conf: 'U' },
  tomllib: { addedIn: '3.11', conf: 'U' },
};

const ALL_STDLIB = new Set([...STDLIB_311, ...Object.keys(STDLIB_REMOVED)]);

export const SUPPORTED_PYTHON = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const;

const minor = (v: string): number => Number(v.split('.')[1] ?? 0);

/**
 * Is `top` a standard-library module? With a version (`3.12`), modules removed by then are not
 * (V rows only) and U additions are still counted (silence is the safe side); without one, a name
 * that is stdlib in any supported version counts.
 */
export function isStdlibModule(top: string, pythonVersion?: string): boolean {
  if (!ALL_STDLIB.has(top)) return false;
  if (!pythonVersion) return true;
  const r = STDLIB_REMOVED[top];
  return !(r && r.conf === 'V' && minor(pythonVersion) >= minor(r.removedIn));
}

/** The removal of a stdlib module at or before `pythonVersion` (V rows only). */
export function stdlibRemoval(top: string, pythonVersion: string): StdlibRemoval | undefined {
  const r = STDLIB_REMOVED[top];
  return r && r.conf === 'V' && minor(pythonVersion) >= minor(r.removedIn) ? r : undefined;
}

/**
 * Distributions the official `python:<version>` images ship besides the stdlib (KNOWLEDGE §1.4):
 * pip always; setuptools and wheel only on 3.10 and 3.11 (V: docker-library/python:versions.json)
 * — older tags had them too (S), 3.12+ have neither.
 */
export function preinstalledInPythonImage(pythonVersion: string | undefined): string[] {
  // unknown version: assume the most, so nothing is called missing on a guess
  if (!pythonVersion) return ['pip', 'setuptools', 'wheel'];
  return minor(pythonVersion) <= 11 ? ['pip', 'setuptools', 'wheel'] : ['pip'];
}
