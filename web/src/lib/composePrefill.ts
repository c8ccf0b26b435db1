/**
 * Hands a drafted package from another page (e.g. an emerging-threat alert from the Substances
 * page) to the composer. Kept in sessionStorage, not the URL: narratives are long and URLs end up
 * in server logs and browser history.
 */
export interface ComposePrefill {
  title: string;
  narrative: string;
  entities: { schema: string; name: string; props: string }[];
}

const KEY = 'countersign.compose.prefill';
/** The query parameter that tells the composer to take the stored prefill. */
export const PREFILL_PARAM = 'prefill';

export function storeComposePrefill(prefill: ComposePrefill): void {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(prefill));
  } catch {
    // storage disabled: the composer opens empty
  }
}

export function readComposePrefill(): ComposePrefill | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<ComposePrefill>;
    if (typeof value.title !== 'string' || typeof value.narrative !== 'string') return null;
    return {
      title: value.title,
      narrative: value.narrative,
      entities: Array.isArray(value.entities)
        ? value.entities.filter(
            (e) => typeof e?.schema === 'string' && typeof e.name === 'string' && typeof e.props === 'string',
          )
        : [],
    };
  } catch {
    return null;
  }
}
