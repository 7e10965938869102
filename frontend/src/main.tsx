// Entry point: Polaris AppProvider (router-aware links), TanStack Query, the router, the shell.
import '@shopify/polaris/build/esm/styles.css';
import './overrides.css';

import {AppProvider} from '@shopify/polaris';
import type {LinkLikeComponentProps} from '@shopify/polaris/build/ts/src/utilities/link';
import en from '@shopify/polaris/locales/en.json';
import {QueryClientProvider} from '@tanstack/react-query';
import {StrictMode} from 'react';
import {createRoot} from 'react-dom/client';
import {Link, RouterProvider} from 'react-router-dom';

import {queryClient} from './queryClient';
import {router} from './routes';
import {sessionQuery} from './shell/connection';

/** Polaris links: relative URLs through the router (no full reload), others in a new tab. */
function RouterLink({url, children, external, ...rest}: LinkLikeComponentProps) {
  if (external || /^(https?:|shopify:)/.test(url) || url.startsWith('/auth/')) {
    const target = url.startsWith('/auth/') ? undefined : '_blank';
    return (
      <a href={url} target={target} rel={target ? 'noopener noreferrer' : undefined} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <Link to={url} {...rest}>
      {children}
    </Link>
  );
}

// After a deploy, a page loaded earlier asks for chunks the new build renamed: load the new
// build once instead of showing a broken page (Vite dispatches this when a chunk fails).
window.addEventListener('vite:preloadError', (event) => {
  const key = 'ecomsend.reloadedForBuild';
  if (window.sessionStorage.getItem(key) === window.location.href) return;
  window.sessionStorage.setItem(key, window.location.href);
  event.preventDefault();
  window.location.reload();
});

// Who is signed in decides every page's first request: ask while React mounts.
void queryClient.prefetchQuery(sessionQuery);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider i18n={en} linkComponent={RouterLink}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </AppProvider>
  </StrictMode>,
);
