export * from './ExposureApi';
export { ExposureClient } from './ExposureClient';
export { ExposureApiError } from './ExposureApiError';
