/**
 * Test identities of the development FranceConnect provider: pivot identities as FranceConnect
 * returns them (RNIPP). Some are demo personas (npm run seed -- --json), some match no one.
 */
export interface TestIdentity {
  /** The provider's account id; the service sees a pairwise `sub` derived from it. */
  readonly id: string;
  readonly label: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly birthdate: string;
  readonly gender: 'female' | 'male';
  /** INSEE code of the birth commune; empty when born abroad. */
  readonly birthplace: string;
  /** INSEE code of the birth country (99100: France). */
  readonly birthcountry: string;
  readonly email: string;
}

export const testIdentities: readonly TestIdentity[] = [
  {
    id: 'camille-martin',
    label: 'allocataire de la démo, compte personnel',
    given_name: 'Camille Marie',
    family_name: 'MARTIN',
    birthdate: '1985-03-12',
    gender: 'female',
    birthplace: '75114',
    birthcountry: '99100',
    email: 'camille.martin.fc@example.org',
  },
  {
    id: 'antoine-leroy',
    label: 'conjoint avec délégation',
    given_name: 'Antoine Paul',
    family_name: 'LEROY',
    birthdate: '1988-04-17',
    gender: 'male',
    birthplace: '13055',
    birthcountry: '99100',
    email: 'antoine.leroy@example.fr',
  },
  {
    id: 'sophie-leroy',
    label: 'allocataire née en Corse-du-Sud',
    given_name: 'Sophie',
    family_name: 'LEROY',
    birthdate: '1990-10-08',
    gender: 'female',
    birthplace: '2A004',
    birthcountry: '99100',
    email: 'sophie.leroy@example.fr',
  },
  {
    id: 'ines-benali',
    label: 'primo-demandeuse, compte sans dossier',
    given_name: 'Inès',
    family_name: 'BENALI',
    birthdate: '2001-12-03',
    gender: 'female',
    birthplace: '69123',
    birthcountry: '99100',
    email: 'ines.benali@example.fr',
  },
  {
    id: 'nathalie-dubois',
    label: 'allocataire sans compte personnel (première connexion à faire)',
    given_name: 'Nathalie',
    family_name: 'DUBOIS',
    birthdate: '1979-07-21',
    gender: 'female',
    birthplace: '59350',
    birthcountry: '99100',
    email: 'nathalie.dubois@example.fr',
  },
  {
    id: 'paul-durand',
    label: 'inconnu de la Caf',
    given_name: 'Paul',
    family_name: 'DURAND',
    birthdate: '1970-06-15',
    gender: 'male',
    birthplace: '33063',
    birthcountry: '99100',
    email: 'paul.durand@example.org',
  },
  {
    id: 'claire-moreau',
    label: 'inconnue de la Caf, avec l’adresse électronique de Camille MARTIN',
    given_name: 'Claire',
    family_name: 'MOREAU',
    birthdate: '1985-03-12',
    gender: 'female',
    birthplace: '75114',
    birthcountry: '99100',
    email: 'camille.martin@example.fr',
  },
  {
    id: 'lucas-bernard',
    label: 'homonymes : deux personnes ont cette identité dans les tests',
    given_name: 'Lucas',
    family_name: 'BERNARD',
    birthdate: '1990-01-15',
    gender: 'male',
    birthplace: '75056',
    birthcountry: '99100',
    email: 'lucas.bernard@example.org',
  },
];

export type Scenario = 'normal' | 'acr-inferieur' | 'refus' | 'nonce-errone';

export const scenarios: readonly { readonly value: Scenario; readonly label: string }[] = [
  { value: 'normal', label: 'Connexion normale' },
  { value: 'acr-inferieur', label: 'Niveau eIDAS inférieur à celui demandé' },
  { value: 'refus', label: 'Refus de l’usager (erreur access_denied au retour)' },
  { value: 'nonce-errone', label: 'ID token avec un nonce erroné' },
];
