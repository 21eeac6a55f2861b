import { createRoot } from 'react-dom/client';
import { ConsoleApi } from './api/console-api.js';
import { App } from './app/App.js';
import './app/styles.css';

let storage: Storage | undefined;
try {
  storage = sessionStorage;
} catch {
  storage = undefined;
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const api = new ConsoleApi({ origin: location.origin, ...(storage ? { storage } : {}) });
createRoot(container).render(<App api={api} />);
