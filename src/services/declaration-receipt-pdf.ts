import PDFDocument from 'pdfkit';
import { monthLabel, quarterLabel, RESOURCE_LABELS } from '#src/domain/quarterly-declaration.ts';
import type { DeclarationReceipt } from './quarterly-declaration.ts';

const euro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const moment = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

/** The standard PDF fonts (WinAnsi) have no narrow no-break space: plain spaces instead. */
function plain(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

/** The acknowledgment of a sent quarterly declaration, as a PDF (pdfkit, standard fonts). */
export function declarationReceiptPdf(r: DeclarationReceipt): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: 'Accusé de réception – Déclaration trimestrielle de ressources', Author: 'Caf' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => {
      chunks.push(c);
    });
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  const line = (text: string, options: PDFKit.Mixins.TextOptions = {}) =>
    doc.text(plain(text), options);

  doc.font('Helvetica-Bold').fontSize(16);
  line('Accusé de réception');
  doc.fontSize(13);
  line('Déclaration trimestrielle de ressources');
  doc.moveDown();
  doc.font('Helvetica').fontSize(11);
  line(`Allocataire : ${r.holder}`);
  line(`Numéro allocataire : ${r.dossierNumber}`);
  line(`Trimestre déclaré : ${quarterLabel(r.quarter)}`);
  line(`Envoyée le ${moment.format(r.submittedAt)} par ${r.submittedBy}`);
  line(`Référence : ${r.reference}`);
  doc.moveDown();
  for (const d of r.declarants) {
    doc.font('Helvetica-Bold');
    line(d.name);
    doc.font('Helvetica');
    for (const month of r.quarter.months) {
      const figures = r.figures.filter((f) => f.personId === d.personId && f.month === month);
      const parts = figures.map((f) => {
        const origin = f.partner ? (f.corrected ? ' (corrigé)' : ' (partenaire)') : '';
        return `${RESOURCE_LABELS[f.kind]} : ${euro.format((f.amountCents ?? 0) / 100)}${origin}`;
      });
      line(`${monthLabel(month)} — ${parts.join(' ; ')}`, { indent: 12 });
    }
    doc.moveDown(0.5);
  }
  doc.moveDown();
  line(
    '« Partenaire » : montant transmis par nos partenaires et confirmé ; « corrigé » : montant transmis par nos partenaires et modifié par vous.',
  );
  line('Conservez ce document. La Caf étudiera votre déclaration et vous informera de vos droits.');
  doc.end();
  return done;
}
