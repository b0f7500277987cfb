import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Pages render through debounced dry runs and lazy routes; on a loaded two-core CI
// machine one second is not always enough for them to settle.
configure({ asyncUtilTimeout: 5000 });
