// Two accessibility defects of Polaris 13.9.5's own markup, corrected as the elements appear
// (axe finds both; they are Polaris', not our pages'):
// - the standalone Toast's close button is an icon with no accessible name (critical);
// - a partly-selected IndexTable's select-all Checkbox sets aria-checked="mixed" and an
//   `indeterminate` *attribute*, but never the native `indeterminate` property, so the native
//   state contradicts the ARIA one (serious). Setting the property makes them agree.
import {useEffect} from 'react';

function fix(root: ParentNode): void {
  root
    .querySelectorAll('.Polaris-Frame-Toast__CloseButton:not([aria-label])')
    .forEach((button) => button.setAttribute('aria-label', 'Dismiss notification'));
  root.querySelectorAll<HTMLInputElement>('input[type=checkbox][aria-checked]').forEach((box) => {
    const mixed = box.getAttribute('aria-checked') === 'mixed';
    if (box.indeterminate !== mixed) box.indeterminate = mixed;
  });
}

/** Keep the corrections applied for the app's lifetime (called once by the shell). */
export function usePolarisA11yFixes(): void {
  useEffect(() => {
    fix(document);
    const observer = new MutationObserver(() => fix(document));
    observer.observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['aria-checked'],
    });
    return () => observer.disconnect();
  }, []);
}
