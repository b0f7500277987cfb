export { RequestPage, RequestPageContent } from './RequestPage';
