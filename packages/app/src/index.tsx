// Type declarations for imported assets only; the CLI is a build-time tool here.
// eslint-disable-next-line @backstage/no-undeclared-imports
import '@backstage/cli/asset-types';
import '@backstage/ui/css/styles.css';
import ReactDOM from 'react-dom/client';
import app from './App';

ReactDOM.createRoot(document.getElementById('root')!).render(app);
