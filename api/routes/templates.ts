/**
 * The company's message templates (docs/templates.md): list them, read one with the variables
 * its kind offers, store a new version (checked: Liquid syntax and variables → 422 naming the
 * problem), preview the version in force or a draft with sample or given data.
 *
 * Roles: admin and manager change the wording (it is what the company says to debtors in its
 * name — the warning letter and the collection notice are documents a debtor keeps — so those
 * accountable for the company's correspondence and its configuration change it); every staff
 * reader reads and previews what debtors and colleagues receive. Sales does not: its reads are
 * its own share of the books.
 */
import { z } from 'zod';
import { LANGUAGE_TAG } from '../../operations/correspondence/kinds.js';
import type { TemplateOperations } from '../../operations/correspondence/templates.js';
import { actorOf, authenticated } from '../auth.js';
import { type AnyRoute, defineRoute, reply } from '../http.js';
import { STAFF_READERS } from '../roles.js';
import { refusedActorFields } from '../schemas.js';

const Kind = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'a template kind such as payment-reminder')
  .describe('The kind of message, e.g. payment-reminder, overdue-warning-letter, statement');
const Language = z
  .string()
  .max(35)
  .regex(LANGUAGE_TAG, "a language tag such as 'zh-CN' or 'en'")
  .describe("A language tag: 'zh-CN', 'en', or one the company adds");
const Params = z.object({ kind: Kind, language: Language });

const Version = z.string().describe("'shipped' (the files in the repository) or the stored version's number");

const Summary = z.object({
  kind: z.string(),
  language: z.string(),
  form: z.enum(['mail', 'letter']),
  version: Version,
  changedBy: z.string().nullable().describe('Who stored the version in force; null for the shipped one'),
  changedAt: z.string().nullable(),
});

/** A variable for the people who edit templates; an object's or a list item's fields one level down. */
const VariableLeaf = z.object({ type: z.string(), description: z.string() });
const VariableDoc = VariableLeaf.extend({ fields: z.record(z.string(), VariableLeaf).optional() });

const Detail = Summary.extend({
  subject: z.string().describe('One line of Liquid: the subject (a letter: its title)'),
  body: z.string().describe('Liquid writing an HTML fragment (h1–h3, p, strong, em, br, lists, tables)'),
  variables: z.record(z.string(), VariableDoc).describe('The variables the kind offers its templates'),
});

const TemplateText = z.object({
  subject: z.string().min(1).max(1_000),
  body: z.string().min(1).max(100_000),
});

const Rendered = z.object({
  subject: z.string(),
  html: z.string().describe('The whole e-mail, styles inlined'),
  text: z.string().describe('The plain-text part'),
  body: z.string().describe('The body fragment before the layout (what a letter prints)'),
  templateVersion: Version,
  pdf: z.string().optional().describe('A letter kind: the PDF letter, base64'),
});

export function templateRoutes(deps: { templates: TemplateOperations }): AnyRoute[] {
  const { templates } = deps;
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/templates',
      summary: 'Every kind of message in every language it has a template in, with the version in force',
      tag: 'templates',
      roles: STAFF_READERS,
      response: z.object({ items: z.array(Summary) }),
      handler: async () => ({ items: await templates.list() }),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/templates/:kind/:language',
      summary:
        'A template in force: subject, body, version, who changed it and when, the variables it may use',
      tag: 'templates',
      roles: STAFF_READERS,
      params: Params,
      response: Detail,
      handler: async ({ params }) => templates.get(params.kind, params.language),
    }),
    defineRoute({
      method: 'PUT',
      path: '/v1/templates/:kind/:language',
      summary:
        'Store a new version of a template, in force for the next message sent (a new language for a known kind adds it)',
      tag: 'templates',
      roles: ['admin', 'manager'],
      params: Params,
      body: TemplateText.extend(refusedActorFields('changedBy')),
      response: Detail,
      status: 201,
      errors: {
        422: 'the template does not parse (the line is named) or uses a variable its kind does not offer',
      },
      handler: async ({ params, body, principal }) =>
        reply(
          201,
          await templates.put(
            params.kind,
            params.language,
            { subject: body.subject, body: body.body },
            actorOf(authenticated(principal)),
          ),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/templates/:kind/:language/preview',
      summary:
        'Render the template in force, or a draft, with the kind’s sample data or the data given: subject, HTML, text (and the PDF of a letter)',
      tag: 'templates',
      roles: STAFF_READERS,
      params: Params,
      body: z.object({
        draft: TemplateText.optional().describe('A template to try instead of the version in force'),
        data: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('The data to render with instead of the kind’s sample'),
      }),
      response: Rendered,
      status: 200,
      errors: { 422: 'the draft does not parse, or the template does not render with the data' },
      handler: async ({ params, body }) => {
        const r = await templates.preview(params.kind, params.language, {
          ...(body.draft ? { draft: body.draft } : {}),
          ...(body.data ? { data: body.data } : {}),
        });
        return {
          subject: r.subject,
          html: r.html,
          text: r.text,
          body: r.body,
          templateVersion: r.templateVersion,
          ...(r.pdf ? { pdf: r.pdf.toString('base64') } : {}),
        };
      },
    }),
  ];
}
