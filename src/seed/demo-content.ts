import type { PoolClient } from 'pg';
import { seedDemoDeclarations } from './demo-declarations.ts';
import { seedDemoDocuments } from './demo-documents.ts';
import { demoLettersSeeder } from './demo-letters.ts';
import { seedDemoPayments } from './demo-payments.ts';

/** The demo set's ids, by persona key and by dossier number, for the content seeders. */
export interface DemoIds {
  readonly persons: Map<string, string>;
  readonly dossiers: Map<string, string>;
}

/** Adds one area's demo content (payments, letters, documents…) inside the seed's transaction. */
export type DemoContentSeeder = (tx: PoolClient, ids: DemoIds) => Promise<void>;

/** One line per area of the account space; each seeder lives beside it in src/seed/. */
export const demoContentSeeders: readonly DemoContentSeeder[] = [
  seedDemoPayments,
  demoLettersSeeder,
  seedDemoDocuments,
  seedDemoDeclarations,
];
