// Client routes. Each page is its own chunk, loaded on first visit; the server answers every
// one of these paths with the app's HTML (SPA fallback in web/ui.py).
import {lazy, Suspense} from 'react';
import {createBrowserRouter, Outlet} from 'react-router-dom';

import {PageSkeleton} from './components/states';
import {ApiError} from './api/client';
import {ConnectionProvider, useConnectionState} from './shell/connection';
import {SignIn} from './shell/SignIn';
import {AppShell} from './shell/AppShell';

/** Each page's chunk, by the first segment of its path. */
const PAGES = {
  home: () => import('./pages/home/HomePage'),
  products: () => import('./pages/products/ProductsPage'),
  productDetail: () => import('./pages/products/ProductDetailPage'),
  manualSync: () => import('./pages/products/ManualSyncPage'),
  templates: () => import('./pages/templates/TemplatesPage'),
  templateEditor: () => import('./pages/templates/TemplateEditorPage'),
  links: () => import('./pages/links/LinksPage'),
  orders: () => import('./pages/orders/OrdersPage'),
  settings: () => import('./pages/settings/SettingsPage'),
  activity: () => import('./pages/activity/ActivityPage'),
};

/** Start fetching the first page's chunk beside the app's own instead of after the first
 * render (one network round trip less before the page's content paints). */
function preloadFirstPage(pathname: string): void {
  const [first = '', second] = pathname.split('/').filter(Boolean);
  const key: keyof typeof PAGES =
    first === 'products'
      ? second === 'sync' ? 'manualSync' : second ? 'productDetail' : 'products'
      : first === 'templates'
        ? second ? 'templateEditor' : 'templates'
        : first in PAGES ? (first as keyof typeof PAGES) : 'home';
  void PAGES[key]();
}
preloadFirstPage(window.location.pathname);

const Home = lazy(PAGES.home);
const Products = lazy(PAGES.products);
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
