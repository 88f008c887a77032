import type { FranceConnectLevel } from '#src/franceconnect/client.ts';
import { recentOutboxMessages } from '#src/notifications/notifier.ts';
import { activateInvitation } from './activation.ts';
import { buildAgentUseCases } from './agents/use-cases.ts';
import { changeBankDetails, loadBankDetailsPage } from './bank-details.ts';
import type { Deps } from './deps.ts';
import { deviceCookieAfterLogin, knownDevices } from './devices.ts';
import {
  chooseFirstPassword,
  confirmFirstContact,
  contactOnFile,
  readFirstConnection,
  requestFirstContactCode,
} from './first-connection.ts';
import {
  awaitLinkConfirmation,
  confirmLink,
  finishFranceConnectLogin,
  identify,
  readLinkConfirmation,
  startFranceConnectLogin,
  takeFranceConnectLogin,
  takeFranceConnectLogout,
} from './franceconnect.ts';
import { databaseReachable } from './health.ts';
import {
  changeDelegation,
  declareSeparation,
  householdFor,
  inviteMember,
  loadFoyer,
} from './household.ts';
import { logIn } from './login.ts';
import { currentMaintenance, maintenanceOf } from './maintenance.ts';
import { phoneConsultation } from './phone.ts';
import { confirmNewDevice, readNewDeviceLogin, resendNewDeviceCode } from './new-device.ts';
import {
  changePassword,
  confirmContactChange,
  endOtherSessions,
  endSession,
  listSessions,
  loadContacts,
  loginHistory,
  readContactChange,
  removeContact,
  startContactChange,
} from './profile.ts';
import { logOut } from './logout.ts';
import { loadMonCompte } from './mon-compte.ts';
import { loadPayment, loadPayments } from './payments.ts';
import { isReadableRegisteredLetter, loadLetters, openLetter } from './letters.ts';
import { issueAttestation, loadAttestationsPage, verifyAttestation } from './attestations.ts';
import { checkCommune, declareAddressChange, loadAddressChange } from './address-change.ts';
import { documentReceipt, loadDocuments, sendDocument, type DocumentToSend } from './documents.ts';
import { postgresDocumentStore } from '#src/db/document-store.ts';
import type { Principal } from '#src/domain/principal.ts';
import { loadDemarches } from './demarches.ts';
import { declarationReceiptPdf } from './declaration-receipt-pdf.ts';
import { declarationReceipt, loadDeclaration, writeDeclaration } from './quarterly-declaration.ts';
import {
  awaitCreationCode,
  completeAccountCreation,
  readCreation,
  requestAccountCreation,
  startAccountCreation,
  verifyCreationCode,
} from './primo-demandeur.ts';
import {
  completeRecovery,
  readRecovery,
  readVerifiedRecovery,
  resendRecoveryCode,
  startRecovery,
  verifyRecoveryCode,
} from './recovery.ts';
import { startRequest } from './sessions.ts';
import {
  canStepUpWithPassword,
  finishCodeStepUp,
  hasStrongAuthentication,
  readStepUp,
  startPasswordStepUp,
  stepUpContact,
  strongAuthMethod,
} from './strong-auth.ts';

/**
 * What routes receive (the MoJ template's "routes receive services only"): the use cases,
 * grouped by journey and bound to their dependencies, plus the read-only configuration and the
 * clock. Never the pool: a handler has no way to reach SQL.
 */
export function buildUseCases(deps: Deps) {
  /** A use case with its dependencies supplied: what a route calls. */
  const use =
    <A extends unknown[], R>(useCase: (s: Deps, ...args: A) => R) =>
    (...args: A): R =>
      useCase(deps, ...args);
  const { franceConnect } = deps;
  // Postgres by default; an object store implements the same interface at scale.
  const documentStore = postgresDocumentStore();
  return {
    config: deps.config,
    now: deps.now,
    health: { databaseReachable: use(databaseReachable) },
    maintenance: { current: use(currentMaintenance), of: use(maintenanceOf) },
    phone: { consult: use(phoneConsultation) },
    sessions: {
      start: use(startRequest),
      logOut: use(logOut),
    },
    devices: { known: use(knownDevices), afterLogin: use(deviceCookieAfterLogin) },
    login: { logIn: use(logIn) },
    newDevice: {
      read: use(readNewDeviceLogin),
      resendCode: use(resendNewDeviceCode),
      confirm: use(confirmNewDevice),
    },
    firstConnection: {
      read: use(readFirstConnection),
      contactOnFile: use(contactOnFile),
      choosePassword: use(chooseFirstPassword),
      requestContactCode: use(requestFirstContactCode),
      confirmContact: use(confirmFirstContact),
    },
    activation: { activate: use(activateInvitation) },
    recovery: {
      start: use(startRecovery),
      read: use(readRecovery),
      readVerified: use(readVerifiedRecovery),
      resendCode: use(resendRecoveryCode),
      verifyCode: use(verifyRecoveryCode),
      complete: use(completeRecovery),
    },
    creation: {
      start: use(startAccountCreation),
      read: use(readCreation),
      request: use(requestAccountCreation),
      awaitCode: use(awaitCreationCode),
      verifyCode: use(verifyCreationCode),
      complete: use(completeAccountCreation),
    },
    franceConnect: {
      /** The provider's OIDC client (no data of ours: discovery, redirects, token calls). */
      client: (level: FranceConnectLevel) => franceConnect.client(level),
      publicJwks: () => franceConnect.publicJwks(),
      formActionSources: () => franceConnect.formActionSources(),
      startLogin: use(startFranceConnectLogin),
      takeLogin: use(takeFranceConnectLogin),
      identify: use(identify),
      finishLogin: use(finishFranceConnectLogin),
      awaitLinkConfirmation: use(awaitLinkConfirmation),
      readLinkConfirmation: use(readLinkConfirmation),
      confirmLink: use(confirmLink),
      takeLogout: use(takeFranceConnectLogout),
    },
    stepUp: {
      hasStrongAuthentication: use(hasStrongAuthentication),
      contact: use(stepUpContact),
      canUsePassword: use(canStepUpWithPassword),
      startWithPassword: use(startPasswordStepUp),
      read: use(readStepUp),
      finishWithCode: use(finishCodeStepUp),
      method: strongAuthMethod,
    },
    // The /mon-compte/* area: each page asks dossier-access.ts for the dossier its action allows.
    monCompte: { load: use(loadMonCompte) },
    payments: { list: use(loadPayments), detail: use(loadPayment) },
    household: {
      loadFoyer: use(loadFoyer),
      invite: use(inviteMember),
      changeDelegation: use(changeDelegation),
      forSeparation: use(householdFor),
      declareSeparation: use(declareSeparation),
    },
    profile: {
      contacts: use(loadContacts),
      startContactChange: use(startContactChange),
      readContactChange: use(readContactChange),
      confirmContactChange: use(confirmContactChange),
      removeContact: use(removeContact),
      changePassword: use(changePassword),
      sessions: use(listSessions),
      endSession: use(endSession),
      endOtherSessions: use(endOtherSessions),
      history: use(loginHistory),
    },
    bankDetails: { loadPage: use(loadBankDetailsPage), change: use(changeBankDetails) },
    letters: {
      load: use(loadLetters),
      open: use(openLetter),
      isRegistered: use(isReadableRegisteredLetter),
    },
    attestations: {
      load: use(loadAttestationsPage),
      issue: use(issueAttestation),
      verify: use(verifyAttestation),
    },
    documents: {
      load: use(loadDocuments),
      receipt: use(documentReceipt),
      send: (principal: Principal, input: DocumentToSend) =>
        sendDocument(deps, documentStore, principal, input),
    },
    addressChange: {
      load: use(loadAddressChange),
      checkCommune,
      declare: use(declareAddressChange),
    },
    declaration: {
      load: use(loadDeclaration),
      write: use(writeDeclaration),
      receipt: use(declarationReceipt),
      receiptPdf: declarationReceiptPdf,
    },
    demarches: { load: use(loadDemarches) },
    /** The agents' console (/agents, its own realm: http/journeys/agents-area.ts). */
    agents: buildAgentUseCases(deps),
    /** Development and test only (app.ts registers its page outside production). */
    messages: { recent: (limit: number) => recentOutboxMessages(deps.pool, limit) },
  };
}

export type UseCases = ReturnType<typeof buildUseCases>;
