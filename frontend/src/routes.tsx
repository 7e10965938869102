// Client routes. Home and Products are in the app's own chunk (the pages a merchant opens
// first: no second round trip before they paint); every other page is its own chunk, loaded on
// first visit. The server answers every one of these paths with the app's HTML (SPA fallback
// in web/ui.py).
import {lazy, Suspense} from 'react';
import {createBrowserRouter, Outlet} from 'react-router-dom';

import {PageSkeleton} from './components/states';
import {ApiError} from './api/client';
import Home from './pages/home/HomePage';
import Products, {prefetch as prefetchProducts} from './pages/products/ProductsPage';
import {queryClient} from './queryClient';
import {ConnectionProvider, useConnectionState} from './shell/connection';
import {SignIn} from './shell/SignIn';
import {AppShell} from './shell/AppShell';

/** The other pages' chunks, by the first segment of their path. */
const PAGES = {
  productDetail: () => import('./pages/products/ProductDetailPage'),
  manualSync: () => import('./pages/products/ManualSyncPage'),
  templates: () => import('./pages/templates/TemplatesPage'),
  templateEditor: () => import('./pages/templates/TemplateEditorPage'),
  links: () => import('./pages/links/LinksPage'),
  orders: () => import('./pages/orders/OrdersPage'),
  settings: () => import('./pages/settings/SettingsPage'),
  activity: () => import('./pages/activity/ActivityPage'),
};

/** Products: start its first requests now, while React mounts. Another page: fetch its chunk
 * beside the app's own instead of after the first render (one round trip less). */
function preloadFirstPage(pathname: string): void {
  const [first = '', second] = pathname.split('/').filter(Boolean);
  if (first === 'products' && !second) {
    void prefetchProducts(queryClient);
    return;
  }
  const key: keyof typeof PAGES | undefined =
    first === 'products'
      ? second === 'sync' ? 'manualSync' : 'productDetail'
      : first === 'templates'
        ? second ? 'templateEditor' : 'templates'
        : first in PAGES ? (first as keyof typeof PAGES) : undefined;
  if (key) void PAGES[key]();
}
preloadFirstPage(window.location.pathname);

const ProductDetail = lazy(PAGES.productDetail);
const ManualSync = lazy(PAGES.manualSync);
const Templates = lazy(PAGES.templates);
const TemplateEditor = lazy(PAGES.templateEditor);
const Links = lazy(PAGES.links);
const Orders = lazy(PAGES.orders);
const Settings = lazy(PAGES.settings);
const Activity = lazy(PAGES.activity);

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
