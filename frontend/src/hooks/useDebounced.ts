// A value that follows another once it has stopped changing: for searches and live previews
// (category picker, brand search, templates list and sidebar preview, manual sync pre-flight,
// orders and link searches), so the server is asked once per pause rather than per keystroke.
import {useEffect, useState} from 'react';

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
