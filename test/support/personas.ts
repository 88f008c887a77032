import { demoPersonas, type Persona } from '#src/seed/demo.ts';

export function persona(key: string): Persona & { nir: string; password: string } {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir || !p.password) throw new Error(`no NIR login for persona ${key}`);
  return { ...p, nir: p.nir, password: p.password };
}
