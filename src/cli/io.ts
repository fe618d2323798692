/** What the CLI may touch of the process: injected so tests can run it in-process. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}
