import type { GuardrailReason, Verdict } from '@portico/plugin-exposure-common';
import { Alert, AlertTitle } from '@material-ui/lab';
import { verdictLabels } from './format';

const severity = {
  allow: 'success',
  'needs-approval': 'warning',
  deny: 'error',
} as const;

/** The backend's guardrail verdict with every reason, as the API returned them. */
export function VerdictAlert(props: {
  verdict: Verdict;
  reasons: GuardrailReason[];
  title?: string;
}) {
  const { verdict, reasons, title } = props;
  return (
    <Alert severity={severity[verdict]} data-testid="verdict">
      <AlertTitle>{title ?? verdictLabels[verdict]}</AlertTitle>
      <ReasonList reasons={reasons} />
    </Alert>
  );
}

export function ReasonList(props: { reasons: GuardrailReason[] }) {
  if (props.reasons.length === 0) return null;
  return (
    <ul style={{ margin: 0, paddingLeft: 20 }}>
      {props.reasons.map(reason => (
        <li key={`${reason.code}:${reason.message}`}>
          <strong>{verdictLabels[reason.verdict]}</strong>: {reason.message}
        </li>
      ))}
    </ul>
  );
}
