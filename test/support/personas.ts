import { demoPersonas, type Persona } from '#src/seed/demo.ts';

export function persona(key: string): Persona & { nir: string; password: string } {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir || !p.password) throw new Error(`no NIR login for persona ${key}`);
  return { ...p, nir: p.nir, password: p.password };
}

/** A demo persona by key, whatever its ways in. */
export function demo(key: string): Persona {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p) throw new Error(`no persona ${key}`);
  return p;
}

export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}
