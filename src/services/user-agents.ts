import Bowser from 'bowser';

/**
 * A browser and device in words ("Chrome sur Windows (ordinateur)") from a user-agent string,
 * read by bowser (MIT, maintained); what the person recognises on "Mes connexions".
 */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Appareil inconnu';
  const parsed = Bowser.parse(userAgent);
  // bowser answers '' (not undefined) for what it does not recognise.
  const browser = parsed.browser.name ? parsed.browser.name : 'Navigateur inconnu';
  const os = parsed.os.name ? parsed.os.name : null;
  const platform = PLATFORMS[parsed.platform.type ?? ''];
  const on = os ? ` sur ${os}` : '';
  return `${browser}${on}${platform ? ` (${platform})` : ''}`;
}

const PLATFORMS: Readonly<Record<string, string>> = {
  desktop: 'ordinateur',
  mobile: 'téléphone',
  tablet: 'tablette',
  tv: 'télévision',
};
