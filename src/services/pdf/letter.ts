import type { LetterReceipt } from '#src/db/repositories/letters.ts';
import { dayFr, momentFr, renderPdf } from './document.ts';

export interface LetterDocument {
  readonly dossierNumber: string;
  readonly addressee: string;
  readonly address: readonly string[];
  readonly sentOn: string;
  readonly subject: string;
  readonly body: string;
  readonly registered: boolean;
  readonly receipt: LetterReceipt | null;
}

export const RECEIPT_METHODS: Readonly<Record<LetterReceipt['method'], string>> = {
  'franceconnect-plus': 'FranceConnect+',
  'mot-de-passe+code': 'mot de passe et code à usage unique',
};

/** The acknowledgment's wording, on the page and in the PDF. */
export function receiptText(receipt: LetterReceipt): string {
  return `Accusé de réception : ouvert le ${momentFr(receipt.acknowledgedAt)} par ${receipt.personName} (identité confirmée par ${RECEIPT_METHODS[receipt.method]}).`;
}

/** A letter as the Caf sends it: header, addressee, date, subject, body, signature. */
export function letterPdf(letter: LetterDocument): Promise<Buffer> {
  return renderPdf({ title: letter.subject, subject: 'Courrier de la Caf' }, (doc) => {
    if (letter.registered) {
      doc.font('Helvetica-Bold').fontSize(10).text('Lettre recommandée électronique');
      if (letter.receipt) doc.font('Helvetica').fontSize(9).text(receiptText(letter.receipt));
      doc.moveDown();
    }
    const right = { align: 'right' as const };
    doc.font('Helvetica-Bold').fontSize(11).text(letter.addressee, right);
    doc.font('Helvetica').fontSize(10);
    for (const line of letter.address) doc.text(line, right);
    doc.moveDown(2);
    doc.text(`Numéro allocataire : ${letter.dossierNumber}`);
    doc.text(`Le ${dayFr(letter.sentOn)}`);
    doc.moveDown();
    doc.font('Helvetica-Bold').text(`Objet : ${letter.subject}`);
    doc.moveDown();
    doc.font('Helvetica').fontSize(10);
    for (const paragraph of letter.body.split(/\n\s*\n/)) {
      doc.text(paragraph.trim(), { align: 'justify' });
      doc.moveDown();
    }
    doc.moveDown();
    doc.text('Nous vous prions d’agréer l’expression de nos salutations distinguées.');
    doc.moveDown(2);
    doc.text('Le directeur de la Caisse d’allocations familiales', right);
  });
}
