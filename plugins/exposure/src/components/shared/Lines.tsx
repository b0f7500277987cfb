/** A list shown one item per line, each kept whole (addresses and refs must not break). */
export function Lines(props: { items: string[]; empty?: string }) {
  if (props.items.length === 0) return <>{props.empty ?? '—'}</>;
  return (
    <>
      {props.items.map(item => (
        <div key={item} style={{ whiteSpace: 'nowrap' }}>
          {item}
        </div>
      ))}
    </>
  );
}

/** Cell style for columns whose values must stay on one line. */
export const nowrap = { whiteSpace: 'nowrap' } as const;
