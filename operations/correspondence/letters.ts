/**
 * A formal letter from its kind's template: the template renders the title and body (seam 2), the
 * letter gets its number (store/letters.ts) and is laid out as PDF with the company's letterhead
 * (letter-pdf.ts). The letter kinds, and the signature block each language prints.
 */
import type { CalendarDate } from '../../domain/calendar.js';
import { type LetterDocument, renderLetterPdf } from './letter-pdf.js';
import type { MessageRenderer, RenderedMessage } from './render.js';

export const LETTER_KINDS = [
  'letter-collection-notice',
  'letter-second-notice',
  'letter-warning',
  'letter-legal-notice',
] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

/** The company as its letters print it (infra/config.ts `company`). */
export interface Letterhead {
  name: string;
  address?: string;
  contact?: string;
  sealImagePath?: string;
}

/** Who a letter goes to: a counterparty's name, postal address and contact. */
export interface LetterRecipient {
  id: string;
  name: string;
  address?: string | null;
  contactName?: string | null;
}

/** The department that signs credit letters, in the letter's language. */
export const signatureFor = (language: string): LetterDocument['signature'] =>
  language.startsWith('zh') ? { name: '信用管理部' } : { name: 'Credit Control Department' };

/**
 * The template data every letter kind shares (seam 3): the language, the company, the counterparty,
 * the letter's number and date; the kind's own data (items, totals, deadline; a statement's figures)
 * is added by the caller.
 */
export function letterData(
  a: {
    language: string;
    company: Letterhead;
    counterparty: LetterRecipient;
    letterNumber: string;
    date: CalendarDate;
  },
  own: Record<string, unknown>,
): Record<string, unknown> {
  return {
    language: a.language,
    company: { name: a.company.name, address: a.company.address ?? null, contact: a.company.contact ?? null },
    counterparty: {
      id: a.counterparty.id,
      name: a.counterparty.name,
      address: a.counterparty.address ?? null,
      contactName: a.counterparty.contactName ?? null,
    },
    letterNumber: a.letterNumber,
    date: a.date,
    ...own,
  };
}

/** The letter `kind` rendered and laid out: its subject (the title), its rendering, and the PDF. */
export async function composeLetter(
  renderer: MessageRenderer,
  kind: string,
  a: {
    language: string;
    company: Letterhead;
    counterparty: LetterRecipient;
    letterNumber: string;
    date: CalendarDate;
  },
  own: Record<string, unknown>,
): Promise<{ rendered: RenderedMessage; pdf: Buffer }> {
  const rendered = await renderer.render(kind, a.language, letterData(a, own));
  const pdf = await renderLetterPdf({
    language: a.language,
    letterhead: {
      name: a.company.name,
      ...(a.company.address ? { address: a.company.address } : {}),
      ...(a.company.contact ? { contact: a.company.contact } : {}),
      ...(a.company.sealImagePath ? { sealImagePath: a.company.sealImagePath } : {}),
    },
    recipient: {
      name: a.counterparty.name,
      ...(a.counterparty.address ? { address: a.counterparty.address } : {}),
      ...(a.counterparty.contactName ? { contactName: a.counterparty.contactName } : {}),
    },
    letterNumber: a.letterNumber,
    date: a.date,
    title: rendered.subject,
    bodyHtml: rendered.body,
    signature: signatureFor(a.language),
  });
  return { rendered, pdf };
}

/**
 * A template preview's PDF (api/routes/templates.ts): the letter laid out from the data it was
 * rendered with (sample or given), under the company's letterhead unless the data names one.
 */
export const letterPreviewPdf =
  (company: Letterhead) =>
  (rendered: RenderedMessage, data: Record<string, unknown>): Promise<Buffer> => {
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const cp = (data.counterparty ?? {}) as Record<string, unknown>;
    const language = text(data.language) ?? 'zh-CN';
    const address = text(cp.address);
    const contactName = text(cp.contactName);
    return renderLetterPdf({
      language,
      letterhead: {
        name: company.name,
        ...(company.address ? { address: company.address } : {}),
        ...(company.contact ? { contact: company.contact } : {}),
        ...(company.sealImagePath ? { sealImagePath: company.sealImagePath } : {}),
      },
      recipient: {
        name: text(cp.name) ?? '—',
        ...(address ? { address } : {}),
        ...(contactName ? { contactName } : {}),
      },
      letterNumber: text(data.letterNumber) ?? 'CF-PREVIEW',
      date: text(data.date) ?? new Date().toISOString().slice(0, 10),
      title: rendered.subject,
      bodyHtml: rendered.body,
      signature: signatureFor(language),
    });
  };
