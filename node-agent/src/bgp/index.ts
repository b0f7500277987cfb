export { BgpSpeaker } from './speaker';
export type { BgpSpeakerOptions } from './speaker';
export type { Route } from './announcer/types';
export type { PeerStatus } from './status';
export {
  peerConfigFromBGPPeer,
  peerConfigSchema,
  parseDurationSeconds,
} from './peerConfig';
export type { PeerConfig } from './peerConfig';
export { desiredRoutes } from './policy/desiredRoutes';
export type {
  DesiredRoutes,
  DesiredRoutesInput,
  ServiceAnnouncementInput,
} from './policy/desiredRoutes';
export { matchesAny, matchesSelector } from './policy/labelSelector';
