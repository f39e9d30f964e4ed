// An optional analyst of failure patterns (V7): something (an LLM, a rules engine) that
// reads the computed patterns and adds recommendations. None is shipped; nothing depends
// on one: the rule-based recommendations are always given.
import type { FailurePatterns } from '../../domain/reversals/failure-patterns.ts';

export interface FailureAnalyst {
  readonly name: string;
  recommend(patterns: FailurePatterns, signal: AbortSignal): Promise<readonly string[]>;
}
