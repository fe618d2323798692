import type { SourceFile } from '../core/source-file.js';
import { isProductionName } from '../discover/environments.js';
import type { RuleMeta } from '../rules/define-rule.js';
import { findRule } from '../rules/index.js';

/** One environment's services and their `depends_on` edges (the HTML service graph). */
export interface ServiceGraph {
  environment: string;
  services: { name: string; dependsOn: { service: string; condition: string }[] }[];
}

/** What reporters may use besides the result: pure data, no I/O. */
export interface ReportContext {
  /** scanned sources by relative path, for code frames */
  sources: ReadonlyMap<string, SourceFile>;
  color: boolean;
  /** rule id → title and whether a fix is available */
  ruleTitle(id: string): string | undefined;
  /** rule id → full metadata (docs, severity); default: the built-in registry */
  ruleMeta?(id: string): RuleMeta | undefined;
  /** services and depends_on per environment (the CLI fills it from the model); HTML draws it */
  graph?: ServiceGraph[];
  /** names of the environments that are production; default: guessed from the name */
  productionEnvironments?: readonly string[];
}

/** The metadata of a rule, from the context when it has its own lookup, else from the registry. */
export function ruleMetaFor(ctx: ReportContext, id: string): RuleMeta | undefined {
  return ctx.ruleMeta ? ctx.ruleMeta(id) : findRule(id)?.meta;
}

/** Whether an environment is a production one (the model's flag when given, else its name). */
export function isProductionEnvironment(ctx: ReportContext, name: string): boolean {
  return ctx.productionEnvironments ? ctx.productionEnvironments.includes(name) : isProductionName(name);
}
