export { AdminPage, AdminPageContent } from './AdminPage';
