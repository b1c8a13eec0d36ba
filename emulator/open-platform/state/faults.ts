/**
 * Injected faults for API calls and push delivery. The first matching rule that fires shapes the
 * call; `rate` draws from a seeded PRNG so a failing run can be replayed.
 */
import { seededRandom } from './random';
import { API_NAMES, type ApiName, type FaultController, type FaultRule, type FaultTarget } from './types';

interface StoredRule extends FaultRule {
  id: string;
}

export class FaultRegistry implements FaultController {
  private rules: StoredRule[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  inject(rule: FaultRule): string {
    validateRule(rule);
    const id = `fault-${this.nextId++}`;
    this.rules.push({ ...rule, id });
    return id;
  }

  clear(id?: string): void {
    this.rules = id === undefined ? [] : this.rules.filter((rule) => rule.id !== id);
  }

  list(): StoredRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** The rule that hits this call (of this appid's, for audit events), if any; consumes one of its `times`. */
  take(target: ApiName | FaultTarget, appid?: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, target)) continue;
      if (rule.appid !== undefined && rule.appid !== appid) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.times !== undefined) {
        rule.times -= 1;
        if (rule.times <= 0) this.clear(rule.id);
      }
      return { ...rule };
    }
    return undefined;
  }
}

function matches(rule: FaultRule, target: ApiName | FaultTarget): boolean {
  if (rule.api === target) return true;
  return rule.api === '*' && target !== 'push' && target !== 'audit_event';
}

function validateRule(rule: FaultRule): void {
  const targets: string[] = [...API_NAMES, 'push', 'audit_event', '*'];
  if (!rule || !targets.includes(rule.api)) throw new TypeError(`fault rule api must be one of ${targets.join(', ')}`);
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1))
    throw new RangeError('times must be a positive integer');
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new RangeError('rate must be within 0..1');
  if (rule.delayMs !== undefined && !(rule.delayMs >= 0)) throw new RangeError('delayMs must be >= 0');
}
