// The app's one TanStack Query client: created here (not in main.tsx) so the router can start
// the first page's queries (routes.tsx `prefetch`) while React mounts.
import {QueryClient} from '@tanstack/react-query';

import {ApiError} from './api/client';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx will not get better by asking again; network trouble and 5xx may.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});
