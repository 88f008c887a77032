import { describe, expect, it } from 'vitest';
import { describeUserAgent } from '#src/services/user-agents.ts';

describe('describeUserAgent (Mes connexions, Historique de connexion)', () => {
  it('names the browser, the system and the kind of device in French', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome sur Windows (ordinateur)');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari sur iOS (téléphone)');
    expect(
      describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    ).toBe('Firefox sur Linux (ordinateur)');
  });

  it('says so when it cannot tell', () => {
    expect(describeUserAgent(null)).toBe('Appareil inconnu');
    expect(describeUserAgent('lightMyRequest')).toBe('Navigateur inconnu');
  });
});
