import PDFDocument from 'pdfkit';

/** A date as printed on Caf documents: « 05/11/2026 » (Paris day). */
export function dayFr(at: Date | string): string {
  if (typeof at === 'string') {
    const [y, m, d] = at.slice(0, 10).split('-');
    return `${d ?? ''}/${m ?? ''}/${y ?? ''}`;
  }
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' }).format(
    at,
  );
}

/** « 05/11/2026 à 14 h 05 » (Paris time). */
export function momentFr(at: Date): string {
  const time = new Intl.DateTimeFormat('fr-FR', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Paris',
  })
    .format(at)
    .replace(':', ' h ');
  return `${dayFr(at)} à ${time}`;
}

/** « 1 234,56 € » from cents (PDF fonts have no narrow no-break space: a plain one). */
export function eurosPdf(cents: number): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' })
    .format(cents / 100)
    .replace(/[\u202f\u00a0]/g, ' ');
}

/**
 * A Caf document on A4 with its header, rendered in memory: the pages are small and built per
 * request from the person's data, never stored.
 */
export async function renderPdf(
  meta: { title: string; subject: string },
  draw: (doc: PDFKit.PDFDocument) => void,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: meta.title, Subject: meta.subject, Author: 'Caisse d’allocations familiales' },
    lang: 'fr-FR',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(14).fillColor('#000091').text('Caf');
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#000000')
    .text('Caisse d’allocations familiales')
    .text('Mon Compte — espace personnel des allocataires')
    .text('Téléphone : 3230 (service gratuit + prix d’un appel)');
  doc.moveDown(2);
  draw(doc);
  doc.end();
  return done;
}
