export { EntityExposureContent } from './EntityExposureContent';
export { EntityExposureCard } from './EntityExposureCard';
export { loadEntityExposures } from './useEntityExposures';
