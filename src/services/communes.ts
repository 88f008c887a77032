import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildCommuneIndex, type CommuneEntry, type CommuneIndex } from '#src/domain/communes.ts';

let loaded: CommuneIndex | null = null;

function isCurrentCommune(value: unknown): value is CommuneEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v: Record<string, unknown> = { ...value };
  return (
    v.type === 'commune-actuelle' &&
    typeof v.nom === 'string' &&
    Array.isArray(v.codesPostaux) &&
    v.codesPostaux.every((c) => typeof c === 'string')
  );
}

/**
 * The official communes and their postal codes (@etalab/decoupage-administratif), read from the
 * installed package once per process: no network at run time.
 */
export function communeIndex(): CommuneIndex {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve(
    '@etalab/decoupage-administratif/data/communes.json',
  );
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${file}: not a list of communes`);
  loaded = buildCommuneIndex(data.filter(isCurrentCommune));
  return loaded;
}
