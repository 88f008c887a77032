import { formatReference } from '#src/domain/attestation-reference.ts';
import type { AttestedPayment } from '#src/db/repositories/attestations.ts';
import { dayFr, eurosPdf, renderPdf } from './document.ts';

interface AttestationBase {
  readonly reference: string;
  readonly issuedAt: Date;
  readonly holder: string;
  readonly dossierNumber: string;
  readonly address: readonly string[];
  /** Where a landlord checks the reference (our public page). */
  readonly verificationUrl: string;
}

export type AttestationDocument =
  | (AttestationBase & {
      readonly kind: 'paiement';
      readonly benefit: string;
      readonly periodStart: string;
      readonly periodEnd: string;
      readonly payments: readonly AttestedPayment[];
    })
  | (AttestationBase & { readonly kind: 'quotient-familial'; readonly quotientFamilial: number });

export const ATTESTATION_TITLES = {
  paiement: 'Attestation de paiement',
  'quotient-familial': 'Attestation de quotient familial',
} as const;

/** An attestation: holder, numéro allocataire, what is attested, date and reference to check. */
export function attestationPdf(a: AttestationDocument): Promise<Buffer> {
  const title = ATTESTATION_TITLES[a.kind];
  return renderPdf({ title, subject: title }, (doc) => {
    doc.font('Helvetica-Bold').fontSize(16).text(title, { align: 'center' });
    doc.moveDown(1.5);
    doc.font('Helvetica').fontSize(10);
    doc.text(`Allocataire : ${a.holder}`);
    doc.text(`Numéro allocataire : ${a.dossierNumber}`);
    doc.text(`Adresse : ${a.address.join(', ')}`);
    doc.moveDown();
    if (a.kind === 'paiement') {
      const total = a.payments.reduce((sum, p) => sum + p.amountCents, 0);
      doc.text(
        `La Caisse d’allocations familiales atteste avoir versé à l’allocataire ci-dessus, au titre de la prestation « ${a.benefit} », du ${dayFr(a.periodStart)} au ${dayFr(a.periodEnd)}, les sommes suivantes :`,
      );
      doc.moveDown(0.5);
      for (const p of a.payments) {
        doc.text(`Versé le ${dayFr(p.paidOn)} (période ${p.period}) : ${eurosPdf(p.amountCents)}`, {
          indent: 20,
        });
      }
      doc.moveDown(0.5);
      doc.font('Helvetica-Bold').text(`Total versé : ${eurosPdf(total)}`);
      doc.font('Helvetica');
    } else {
      doc.text(
        `La Caisse d’allocations familiales atteste que le quotient familial du foyer de l’allocataire ci-dessus est de ${String(a.quotientFamilial)} euros à la date de la présente attestation.`,
      );
    }
    doc.moveDown(2);
    doc.text(`Attestation délivrée le ${dayFr(a.issuedAt)}.`);
    doc.font('Helvetica-Bold').text(`Référence : ${formatReference(a.reference)}`);
    doc.font('Helvetica');
    doc.text(
      `Toute personne à qui cette attestation est présentée peut vérifier son authenticité avec cette référence sur ${a.verificationUrl}.`,
    );
  });
}
