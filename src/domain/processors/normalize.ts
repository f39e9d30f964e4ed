// Turns a processor's raw reply into the one canonical ProcessorOutcome (P3). What each
// processor code means is data (a code table per processor, overridable per deployment);
// only reading the shape of a reply is code, one reader per reply format.
import { z } from 'zod';
import { refuse, ok, type Result } from '../result.ts';
import { outcomeKinds, type OutcomeKind, type ProcessorOutcome } from './outcome.ts';

/** Longer result codes or references than this are not believed: the reply counts as unreadable. */
export const processorCodeLengthMax = 128;
export const processorReferenceLengthMax = 128;
export const processorIdLengthMax = 64;
export const outcomeMessageLengthMax = 300;
/** Our own outcome codes: lower-case words joined by `_`, like `do_not_honor`. */
export const outcomeCodePattern = /^[a-z][a-z0-9_]{0,63}$/;

/** What one processor code means. */
export type CodeRule = {
  readonly kind: OutcomeKind;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
};

/**
 * The rule for a code the table does not know. Its kind is fixed to `pending` by type:
 * a code nobody has written down is an unknown outcome, requeried, never a guess.
 */
export type UnknownCodeRule = CodeRule & { readonly kind: 'pending' };

/** A reply's fields as received; the domain reads them without trusting their types. */
export type RawReply = { readonly [field: string]: unknown };

/** A reply read but not yet interpreted: the processor's result code and its reference. */
export type ReadReply = { readonly resultCode: string; readonly processorReference?: string };

/** Reads one reply format; null when the reply does not have that format's shape. */
export type ReplyReader = (raw: RawReply) => ReadReply | null;

export type ProcessorCodeTable = {
  readonly readReply: ReplyReader;
  /** Processor result code (as the reader spells it) → what it means. */
  readonly codes: ReadonlyMap<string, CodeRule>;
  readonly unknownCode: UnknownCodeRule;
};

/** Processor id → that processor's code table. */
export type NormalizationTable = ReadonlyMap<string, ProcessorCodeTable>;

/**
 * The reply to normalize. Structurally the card-processor port's ProcessorReply; declared
 * here so that the domain does not depend on the application layer.
 */
export type ReplyToNormalize =
  | { readonly kind: 'reply'; readonly raw: RawReply }
  | { readonly kind: 'no_answer'; readonly reason: 'timeout' | 'network' };

const timeoutOutcome: ProcessorOutcome = {
  kind: 'pending', code: 'timeout', retryable: true,
  message: 'The processor did not answer in time; the outcome will be asked for again.',
};
const noAnswerOutcome: ProcessorOutcome = {
  kind: 'pending', code: 'no_answer', retryable: true,
  message: 'The processor could not be reached; the outcome will be asked for again.',
};
const unreadableReplyOutcome: ProcessorOutcome = {
  kind: 'pending', code: 'unreadable_reply', retryable: true,
  message: 'The processor sent a reply that could not be read; the outcome will be asked for again.',
};
// A processor wired without a code table is a configuration mistake; its replies are kept
// pending (and so escalated by the requery job) rather than guessed.
const noCodeTableOutcome: ProcessorOutcome = {
  kind: 'pending', code: 'no_code_table', retryable: true,
  message: 'This deployment has no code table for the processor; the outcome needs a person to look at it.',
};

export function normalizeReply(table: NormalizationTable, processorId: string, reply: ReplyToNormalize): ProcessorOutcome {
  if (reply.kind === 'no_answer') return reply.reason === 'timeout' ? timeoutOutcome : noAnswerOutcome;
  const processorTable = table.get(processorId);
  if (processorTable === undefined) return noCodeTableOutcome;
  const read = processorTable.readReply(reply.raw);
  if (read === null || !isBelievable(read)) return unreadableReplyOutcome;
  const rule = processorTable.codes.get(read.resultCode) ?? processorTable.unknownCode;
  return {
    kind: rule.kind,
    code: rule.code,
    message: rule.message,
    retryable: rule.retryable,
    ...(read.processorReference === undefined ? {} : { processorReference: read.processorReference }),
  };
}

function isBelievable(read: ReadReply): boolean {
  const reference = read.processorReference;
  return read.resultCode.length > 0
    && read.resultCode.length <= processorCodeLengthMax
    && (reference === undefined || (reference.length > 0 && reference.length <= processorReferenceLengthMax));
}

/** Builds a processor's code table from plain data (an object literal or parsed JSON). */
export function defineCodeTable(definition: {
  readonly readReply: ReplyReader;
  readonly codes: Readonly<Record<string, CodeRule>>;
  readonly unknownCode: UnknownCodeRule;
}): ProcessorCodeTable {
  return {
    readReply: definition.readReply,
    codes: new Map(Object.entries(definition.codes)),
    unknownCode: definition.unknownCode,
  };
}

const codeRuleSchema = z.strictObject({
  kind: z.enum(outcomeKinds),
  code: z.string().regex(outcomeCodePattern),
  message: z.string().min(1).max(outcomeMessageLengthMax),
  retryable: z.boolean(),
});


/**
 * The per-deployment overrides file: processor id → processor code → rule. Only known
 * codes' meanings can change and new codes be added; the rule for unknown codes stays
 * `pending` whatever the file says. (zod drops a `__proto__` key rather than assigning it.)
 */
export const normalizationOverridesSchema = z.record(
  z.string().min(1).max(processorIdLengthMax),
  z.strictObject({ codes: z.record(z.string().min(1).max(processorCodeLengthMax), codeRuleSchema) }),
);
export type NormalizationOverrides = z.infer<typeof normalizationOverridesSchema>;

/** The base table with a deployment's overrides applied; the base is left untouched. */
export function mergeNormalizationTable(
  base: NormalizationTable,
  overrides: NormalizationOverrides,
): Result<NormalizationTable, 'unknown_processor'> {
  const merged = new Map(base);
  for (const [processorId, override] of Object.entries(overrides)) {
    const processorTable = base.get(processorId);
    // Overrides are data only: a processor without a reader in code cannot be added by them.
    if (processorTable === undefined) {
      return refuse('unknown_processor', processorId, `no processor "${processorId}" to override; known: ${[...base.keys()].join(', ')}`);
    }
    merged.set(processorId, {
      ...processorTable,
      codes: new Map([...processorTable.codes, ...Object.entries(override.codes)]),
    });
  }
  return ok(merged);
}
