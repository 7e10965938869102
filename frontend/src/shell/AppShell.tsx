// The frame around every page. Embedded: App Bridge's NavMenu in Shopify admin's sidebar (no
// in-app menu, BFS 4.1.4). Standalone: the same items in Polaris' Frame + Navigation.
import {NavMenu} from '@shopify/app-bridge-react';
import {Frame, Navigation, TopBar} from '@shopify/polaris';
import {
  ChartVerticalIcon,
  HomeIcon,
  LinkIcon,
  ListBulletedIcon,
  OrderIcon,
  ProductIcon,
  SettingsIcon,
} from '@shopify/polaris-icons';
import {type ReactNode, useCallback, useState} from 'react';
import {Link, useLocation} from 'react-router-dom';

import {usePolarisA11yFixes} from './a11y';
import {useConnectionState} from './connection';
import {isEmbedded} from './embedded';
import {ToastProvider} from './feedback';
import {activeItem, NAV_ITEMS} from './nav';

const ICONS = [HomeIcon, ProductIcon, ListBulletedIcon, LinkIcon, OrderIcon, SettingsIcon, ChartVerticalIcon];

export function AppShell({children}: {children: ReactNode}) {
  usePolarisA11yFixes();
  if (isEmbedded()) {
    return (
      <ToastProvider>
        <NavMenu>
          {NAV_ITEMS.map((item) =>
            item.path === '/' ? (
              <Link key={item.path} to="/" rel="home">
                {item.label}
              </Link>
            ) : (
              <Link key={item.path} to={item.path}>
                {item.label}
              </Link>
            ),
          )}
        </NavMenu>
        {children}
      </ToastProvider>
    );
  }
  return <StandaloneFrame>{children}</StandaloneFrame>;
}

function StandaloneFrame({children}: {children: ReactNode}) {
  const location = useLocation();
  const {session} = useConnectionState();
  const [mobileNavOpen, setMobileNavOpen] = useState(false);
  const [userMenuOpen, setUserMenuOpen] = useState(false);
  const toggleNav = useCallback(() => setMobileNavOpen((open) => !open), []);
  const current = activeItem(location.pathname);
  const navigation = (
    <Navigation location={location.pathname}>
      <Navigation.Section
        title="EcomSend Feed"
        items={NAV_ITEMS.map((item, i) => ({
          label: item.label,
          url: item.path,
          icon: ICONS[i],
          selected: item.path === current.path,
          onClick: () => setMobileNavOpen(false),
        }))}
      />
    </Navigation>
  );
  const topBar = (
    <TopBar
      showNavigationToggle
      onNavigationToggle={toggleNav}
      userMenu={
        <TopBar.UserMenu
          actions={[]}
          name={session?.name ?? session?.shop ?? ''}
          detail={session?.name ? session.shop : undefined}
          initials={(session?.name ?? session?.shop ?? '?').slice(0, 1).toUpperCase()}
          open={userMenuOpen}
          onToggle={() => setUserMenuOpen((open) => !open)}
        />
      }
    />
  );
  return (
    <Frame
      navigation={navigation}
      topBar={topBar}
      showMobileNavigation={mobileNavOpen}
      onNavigationDismiss={toggleNav}
      skipToContentTarget={undefined}
    >
      <ToastProvider>{children}</ToastProvider>
    </Frame>
  );
}
