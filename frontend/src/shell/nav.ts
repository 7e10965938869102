// The app's navigation items, in the order Shopify admin shows them (App Bridge NavMenu when
// embedded, Polaris Navigation standalone). Each page's heading is its item's label.
export interface NavItem {
  label: string;
  path: string;
}

export const NAV_ITEMS: NavItem[] = [
  {label: 'Home', path: '/'},
  {label: 'Products', path: '/products'},
  {label: 'Category templates', path: '/templates'},
  {label: 'Link products', path: '/links'},
  {label: 'Orders', path: '/orders'},
  {label: 'Settings', path: '/settings'},
  {label: 'Activity', path: '/activity'},
];

/** The nav item a path belongs to (sub-pages keep their parent highlighted). */
export function activeItem(pathname: string): NavItem {
  const matches = NAV_ITEMS.filter((i) => i.path !== '/' && pathname.startsWith(i.path));
  return matches[0] ?? NAV_ITEMS[0];
}
