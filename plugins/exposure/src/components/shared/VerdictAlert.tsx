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
      <ReasonList reasons={reasons} verdict={verdict} />
    </Alert>
  );
}

/**
 * Every reason with its own verdict; under an alert that already says the
 * overall verdict, reasons with that same verdict go without the label.
 */
export function ReasonList(props: {
  reasons: GuardrailReason[];
  verdict?: Verdict;
}) {
  if (props.reasons.length === 0) return null;
  return (
    <ul style={{ margin: 0, paddingLeft: 20 }}>
      {props.reasons.map(reason => (
        <li key={`${reason.code}:${reason.message}`}>
          {reason.verdict !== props.verdict && (
            <strong>{verdictLabels[reason.verdict]}: </strong>
          )}
          {reason.message}
        </li>
      ))}
    </ul>
  );
}
