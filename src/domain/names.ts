/**
 * Case folding of names that are case-insensitive on the wire: ARM resource names and groups, hub
 * and DPS policy key names, IoT Central app labels and role ids, our tenant, API key and user names
 * (EI names are case-insensitive), the `name_key` columns that make them unique, and cache keys
 * built from them. Unicode lower case (String.prototype.toLowerCase), locale-independent; the
 * spelling a caller chose is stored and answered as given.
 */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** Whether two names name the same thing (equal once folded). */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/** ARM locations compare without case or white space ("West US" is "westus"). */
export function sameLocation(a: string, b: string): boolean {
  return sameName(a.replace(/\s/g, ''), b.replace(/\s/g, ''));
}
