import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { TextField } from '@material-ui/core';
import { Autocomplete } from '@material-ui/lab';

/** Picks the catalog component to expose; shows `name` and the owner. */
export function EntityPicker(props: {
  entities: Entity[];
  value: string;
  onChange: (entity: Entity | undefined) => void;
  error?: string;
}) {
  const { entities, value, onChange, error } = props;
  const selected = entities.find(e => stringifyEntityRef(e) === value) ?? null;
  return (
    <Autocomplete
      id="exposure-component"
      options={entities}
      value={selected}
      onChange={(_event, entity) => onChange(entity ?? undefined)}
      getOptionLabel={entity =>
        entity.metadata.title ?? stringifyEntityRef(entity)
      }
      getOptionSelected={(a, b) =>
        stringifyEntityRef(a) === stringifyEntityRef(b)
      }
      renderOption={entity => (
        <span>
          {entity.metadata.title ?? entity.metadata.name}{' '}
          <small style={{ opacity: 0.7 }}>
            {String(entity.spec?.owner ?? '')}
          </small>
        </span>
      )}
      renderInput={params => (
        <TextField
          {...params}
          label="Component"
          required
          margin="dense"
          variant="outlined"
          error={Boolean(error)}
          helperText={error ?? 'The catalog component whose Service you expose'}
        />
      )}
    />
  );
}
