import { z } from 'zod';
import { defineFlow } from '#src/domain/flow.ts';

/**
 * Every multi-step journey of the portal, in one place: name, state, lifetime (ADR 0007).
 * The browser holds only the flow's random id; the person it is bound to is the row's.
 */

const contact = z.object({ channel: z.enum(['email', 'sms']), destination: z.string() });
const level = z.enum(['franceconnect', 'franceconnect-plus']);
const returnTo = z.enum(['mon-compte', 'coordonnees-bancaires', 'courriers']);
const JOURNEY_MS = 20 * 60_000;
const FRANCECONNECT_MS = 15 * 60_000;

/** "Mot de passe oublié": started whether or not NIR and birth date matched (person null). */
export const recoveryFlow = defineFlow(
  'mot-de-passe-oublie',
  z.object({ codeVerified: contact.nullable() }),
  JOURNEY_MS,
);

/** First connection, after the old dossier password or an invitation code (or a login that lacks a contact). */
export const firstConnectionFlow = defineFlow(
  'premiere-connexion',
  z.object({
    /** How the person proved who they are: the old dossier password, or an invitation code. */
    origin: z.enum(['ancien-mot-de-passe', 'invitation']),
    passwordSet: z.boolean(),
    contact: contact.nullable(),
  }),
  JOURNEY_MS,
);

/** "Créer mon compte". From the contact step on, the person is the new one or an id matching nobody. */
export const creationFlow = defineFlow(
  'creer-mon-compte',
  z.object({
    identity: z.object({
      nir: z.string(),
      sex: z.union([z.literal(1), z.literal(2)]),
      familyName: z.string(),
      givenNames: z.string(),
      birthdate: z.string(),
    }),
    contact: contact.nullable(),
    codeVerified: z.boolean(),
  }),
  JOURNEY_MS,
);

export type ReturnTo = z.infer<typeof returnTo>;

/** The state, nonce and PKCE verifier sent to FranceConnect, until its callback. */
export const franceConnectAuthorizeFlow = defineFlow(
  'franceconnect',
  z.object({
    level,
    state: z.string(),
    nonce: z.string(),
    codeVerifier: z.string(),
    returnTo,
  }),
  FRANCECONNECT_MS,
);

/** A FranceConnect identity matched to a person, waiting for that person's password. */
export const franceConnectLinkFlow = defineFlow(
  'franceconnect-liaison',
  z.object({
    level,
    sub: z.string(),
    acr: z.string(),
    idToken: z.string(),
    givenName: z.string(),
    familyName: z.string(),
    returnTo,
  }),
  FRANCECONNECT_MS,
);

/** The state sent to the provider's end_session, checked on return. */
export const franceConnectLogoutFlow = defineFlow(
  'franceconnect-deconnexion',
  z.object({ state: z.string() }),
  FRANCECONNECT_MS,
);

/** Strong authentication by password + code: the contact the code went to, while it is awaited. */
export const stepUpFlow = defineFlow(
  'verification-renforcee',
  z.object({ channel: contact.shape.channel, destination: z.string() }),
  FRANCECONNECT_MS,
);

/** "Mon profil": a new e-mail or mobile, awaiting the code sent to it. */
export const contactChangeFlow = defineFlow(
  'changement-coordonnees',
  z.object({ channel: contact.shape.channel, destination: z.string() }),
  JOURNEY_MS,
);

/**
 * A password login from an unknown device (ADR 0011): the password was right, the session waits
 * for the code sent to a verified contact. `loginIdentifier` is what the device cookie remembers.
 */
export const newDeviceFlow = defineFlow(
  'connexion-nouvel-appareil',
  z.object({ loginIdentifier: z.string(), channel: contact.shape.channel }),
  FRANCECONNECT_MS,
);
