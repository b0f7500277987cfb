export * from './format';
export { UsageBar } from './UsageBar';
export { VerdictAlert, ReasonList } from './VerdictAlert';
export { RequestStateChip } from './RequestStateChip';
export { ErrorAlert } from './ErrorAlert';
export { Lines, nowrap, nowrapCell } from './Lines';
