/**
 * Shared types, zod schemas, permissions, IP range math and guardrail
 * evaluation of Portico exposure. Pure: no I/O.
 *
 * @packageDocumentation
 */
export * from './ip/ipRange';
export * from './schema/common';
export * from './schema/config';
export * from './schema/api';
export * from './guardrails/evaluateGuardrails';
export * from './permissions';
export * from './types';
export * from './clusters';
export * from './adoption';
