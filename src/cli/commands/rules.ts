/** `drydock rules` and `drydock explain <rule>`. */
import type { Command } from 'commander';
import { isSeverity } from '../../core/severity.js';
import { ruleExplainText, rulesText } from '../../report/rule-docs.js';
import { ruleCategory } from '../../rules/define-rule.js';
import { findRule, RULES } from '../../rules/index.js';
import type { Io } from '../io.js';
import { UsageError } from '../../audit.js';

export function registerRuleCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('rules')
    .description('list the rules (filter by category or severity)')
    .option('--category <name>', 'only this category (compose, image, secrets, ...)')
    .option('--severity <level>', 'only this default severity')
    .option('--json', 'machine-readable list')
    .action((opts: { category?: string; severity?: string; json?: boolean }) => {
      if (opts.severity && !isSeverity(opts.severity)) throw new UsageError(`unknown severity "${opts.severity}"`);
      const list = RULES.filter((r) => (!opts.category || ruleCategory(r.meta.id) === opts.category) && (!opts.severity || r.meta.severity === opts.severity));
      if (opts.json) io.stdout(JSON.stringify(list.map((r) => ({ id: r.meta.id, severity: r.meta.severity, fixable: r.meta.fixable, title: r.meta.title })), null, 2) + '\n');
      else io.stdout(rulesText(list));
      setExit(0);
    });
  program
    .command('explain')
    .description("print a rule's documentation")
    .argument('<rule>', 'rule id, e.g. compose/bind-source-missing')
    .action((id: string) => {
      const rule = findRule(id);
      if (!rule) throw new UsageError(`unknown rule "${id}" (see drydock rules)`);
      io.stdout(ruleExplainText(rule));
      setExit(0);
    });
}
