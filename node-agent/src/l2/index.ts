export { L2Announcer } from './announcer/L2Announcer';
export type { L2AnnouncerOptions, L2Logger } from './announcer/L2Announcer';
export { l2SettingsSchema } from './config';
export type { L2Settings, L2SettingsInput, L2Vip } from './config';
export type { L2Conflict, L2Failover, L2Status, L2VipStatus } from './status';
export { electOwner, rankNodes } from './election/electOwner';
