import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { requestRouteRef } from '../../routes';

/** Opens the request page with this component already picked. */
export function RequestExposureButton(props: { entity: Entity }) {
  const requestPath = useRouteRef(requestRouteRef);
  const ref = stringifyEntityRef(props.entity);
  return (
    <LinkButton
      variant="outlined"
      color="primary"
      to={`${requestPath()}?entity=${encodeURIComponent(ref)}`}
    >
      Request exposure
    </LinkButton>
  );
}
