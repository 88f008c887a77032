import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KnownDevices } from '#src/services/devices.ts';
import type { UseCases } from '#src/services/use-cases.ts';

type Services = Pick<UseCases, 'config' | 'devices'>;

/** The device cookie (ADR 0008): signed, HttpOnly, sent only to our own pages. */
function cookieName(s: Services): string {
  return s.config.secureCookies ? '__Host-moncompte-appareil' : 'moncompte-appareil';
}

/** The accounts this browser has logged in to, as far as a valid signature says. */
export function devicesOf(request: FastifyRequest, s: Services): KnownDevices {
  return s.devices.known(request.cookies[cookieName(s)]);
}

/** After a successful login: this browser is now a known device of that account. */
export function rememberDevice(
  request: FastifyRequest,
  reply: FastifyReply,
  s: Services,
  loginIdentifier: string,
): void {
  const value = s.devices.afterLogin(devicesOf(request, s), loginIdentifier);
  void reply.setCookie(cookieName(s), value, {
    path: '/',
    httpOnly: true,
    secure: s.config.secureCookies,
    sameSite: 'strict',
    maxAge: Math.floor(s.config.devices.rememberMs / 1000),
  });
}
