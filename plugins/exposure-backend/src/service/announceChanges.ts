import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  EXPOSURE_CHANGED_TOPIC,
  ExposureChangedEvent,
} from '@portico/plugin-exposure-common';
import type { ExposureChangeListener } from '@portico/plugin-exposure-node';

/**
 * Announces each committed change on the events service, so the catalog's
 * exposure entities follow it at once (and, with the events backend's bus,
 * on every replica). Never holds up or fails the request that made it.
 */
export function announceChanges(
  events: EventsService,
  logger: LoggerService,
): ExposureChangeListener {
  let lastFailure: string | undefined;
  return ({ action, request }) => {
    const eventPayload: ExposureChangedEvent = {
      action,
      requestId: request.id,
      state: request.state,
      pool: request.pool,
      segment: request.segment,
      ...(request.address ? { address: request.address } : {}),
    };
    events
      .publish({ topic: EXPOSURE_CHANGED_TOPIC, eventPayload })
      .then(() => {
        lastFailure = undefined;
      })
      .catch(error => {
        const failure = String(error);
        if (failure !== lastFailure) {
          logger.warn(`exposure change not announced: ${failure}`);
          lastFailure = failure;
        }
      });
  };
}
