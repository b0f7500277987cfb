import { Alert, AlertTitle } from '@material-ui/lab';

/** A failed call with the backend's own message, never a generic one. */
export function ErrorAlert(props: { title: string; error: Error }) {
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>{props.title}</AlertTitle>
      {props.error.message}
    </Alert>
  );
}
