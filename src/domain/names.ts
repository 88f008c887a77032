/** "Prénom NOM", the way the portal names a person in its header: family name in capitals. */
export function displayName(givenName: string, familyName: string): string {
  return `${givenName} ${familyName.toLocaleUpperCase('fr-FR')}`;
}
