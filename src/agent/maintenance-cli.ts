import { parseArgs } from 'node:util';
import type { Deps } from '#src/services/deps.ts';
import {
  planMaintenance,
  switchMaintenanceOff,
  switchMaintenanceOn,
} from '#src/services/maintenance.ts';
import type { MaintenanceState } from '#src/domain/maintenance.ts';
import { parseMoment, type Say } from './arguments.ts';

export const MAINTENANCE_USAGE =
  '        npm run agent -- maintenance on [--fin <date>] [--message <texte>] [--terminer-sessions]\n' +
  '        npm run agent -- maintenance planifier --debut <date> --fin <date> [--message <texte>] [--terminer-sessions]\n' +
  '        npm run agent -- maintenance off\n' +
  '        (dates ISO 8601, ex. 2026-11-23T22:00+01:00)\n';

function describe(state: MaintenanceState): string {
  switch (state.mode) {
    case 'off':
      return 'Site ouvert (pas de maintenance en cours ni prévue).';
    case 'planned':
      return `Maintenance prévue du ${state.startsAt.toISOString()}${state.endsAt ? ` au ${state.endsAt.toISOString()}` : ''} : un bandeau l’annonce sur chaque page.`;
    case 'on':
      return `Site en maintenance depuis ${state.startsAt.toISOString()}${state.endsAt ? `, jusqu’au ${state.endsAt.toISOString()}` : ', jusqu’à « maintenance off »'} : chaque page publique répond 503.`;
  }
}

/** `maintenance on|off|planifier`: returns the exit code. */
export async function maintenanceCommand(
  deps: Deps,
  actor: string,
  args: readonly string[],
  say: Say,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      debut: { type: 'string' },
      fin: { type: 'string' },
      message: { type: 'string' },
      'terminer-sessions': { type: 'boolean', default: false },
    },
  });
  const [sub] = positionals;
  const message = values.message?.trim() || null;
  const endSessions = values['terminer-sessions'];
  const fin = values.fin === undefined ? null : parseMoment(values.fin);
  const debut = values.debut === undefined ? null : parseMoment(values.debut);
  if ((values.fin !== undefined && !fin) || (values.debut !== undefined && !debut)) {
    say('Date illisible : utilisez le format ISO 8601, ex. 2026-11-23T22:00+01:00.');
    return 2;
  }
  let result: { state: MaintenanceState; sessionsEnded: number };
  if (sub === 'on') {
    result = await switchMaintenanceOn(deps, actor, { endsAt: fin, message, endSessions });
  } else if (sub === 'off') {
    result = await switchMaintenanceOff(deps, actor);
  } else if (sub === 'planifier' && debut && fin) {
    if (fin <= debut) {
      say('La fin doit suivre le début.');
      return 2;
    }
    result = await planMaintenance(deps, actor, {
      startsAt: debut,
      endsAt: fin,
      message,
      endSessions,
    });
  } else {
    say(`Usage :\n${MAINTENANCE_USAGE}`);
    return 2;
  }
  say(describe(result.state));
  if (result.sessionsEnded > 0)
    say(`${String(result.sessionsEnded)} session(s) publique(s) terminée(s).`);
  return 0;
}
