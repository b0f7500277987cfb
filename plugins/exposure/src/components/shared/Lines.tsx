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

/** Style for values that must stay on one line. */
export const nowrap = { whiteSpace: 'nowrap' } as const;

/**
 * Table `cellStyle` for such columns: a fresh object per cell, because the
 * table merges its own styles (e.g. bold for `highlight`) into the one given.
 */
export const nowrapCell = () => ({ whiteSpace: 'nowrap' as const });
