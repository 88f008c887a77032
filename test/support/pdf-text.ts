import { PDFParse } from 'pdf-parse';

/** The text of a PDF, as a reader's copy-paste would give it (whitespace collapsed). */
export async function pdfText(data: Buffer): Promise<string> {
  const parser = new PDFParse({ data });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}
