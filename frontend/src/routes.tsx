// Client routes. Each page is its own chunk, loaded on first visit; the server answers every
// one of these paths with the app's HTML (SPA fallback in web/ui.py).
import {lazy, Suspense} from 'react';
import {createBrowserRouter, Outlet} from 'react-router-dom';

import {PageSkeleton} from './components/states';
import {ApiError} from './api/client';
import {ConnectionProvider, useConnectionState} from './shell/connection';
import {SignIn} from './shell/SignIn';
import {AppShell} from './shell/AppShell';

const Home = lazy(() => import('./pages/home/HomePage'));
const Products = lazy(() => import('./pages/products/ProductsPage'));
const ProductDetail = lazy(() => import('./pages/products/ProductDetailPage'));
const ManualSync = lazy(() => import('./pages/products/ManualSyncPage'));
const Templates = lazy(() => import('./pages/templates/TemplatesPage'));
const TemplateEditor = lazy(() => import('./pages/templates/TemplateEditorPage'));
const Links = lazy(() => import('./pages/links/LinksPage'));
const Orders = lazy(() => import('./pages/orders/OrdersPage'));
const Settings = lazy(() => import('./pages/settings/SettingsPage'));
const Activity = lazy(() => import('./pages/activity/ActivityPage'));

/** No session (standalone, signed out): the sign-in page instead of the app. */
function SessionGate() {
  const {error} = useConnectionState();
  if (error instanceof ApiError && error.status === 401) return <SignIn reason={error.message} />;
  return (
    <AppShell>
      <Suspense fallback={<PageSkeleton title="" />}>
        <Outlet />
      </Suspense>
    </AppShell>
  );
}

function Root() {
  return (
    <ConnectionProvider>
      <SessionGate />
    </ConnectionProvider>
  );
}

export const router = createBrowserRouter([
  {
    path: '/',
    element: <Root />,
    children: [
      {index: true, element: <Home />},
      {path: 'products', element: <Products />},
      {path: 'products/sync', element: <ManualSync />},
      {path: 'products/:productId', element: <ProductDetail />},
      {path: 'templates', element: <Templates />},
      {path: 'templates/new', element: <TemplateEditor />},
      {path: 'templates/:templateId', element: <TemplateEditor />},
      {path: 'links', element: <Links />},
      {path: 'orders', element: <Orders />},
      {path: 'settings', element: <Settings />},
      {path: 'activity', element: <Activity />},
      {path: '*', element: <Home />},
    ],
  },
]);
