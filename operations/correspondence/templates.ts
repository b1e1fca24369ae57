/**
 * The company's templates (docs/templates.md): list them, read one with the variables its kind
 * offers, store a new version (checked: it parses, and reads only variables its kind offers),
 * and preview a stored version or a draft with sample or given data.
 */
import { type Actor, describeActor } from '../../domain/actor.js';
import type { Store } from '../../store/index.js';
import { OperationRefused } from '../refused.js';
import { KINDS, kindOf, LANGUAGE_TAG, unknownVariables, type VariableDoc } from './kinds.js';
import {
  createMessageRenderer,
  parseTemplate,
  type RenderedMessage,
  shippedTemplate,
  TemplateError,
  type TemplateVersion,
  UnknownTemplate,
  variablesOf,
} from './render.js';

/** Renders a letter kind's message as its PDF (the letters slice's renderLetterPdf, wired by the caller). */
export type LetterPdf = (rendered: RenderedMessage, data: Record<string, unknown>) => Promise<Buffer>;

export interface TemplateSummary {
  kind: string;
  language: string;
  form: 'mail' | 'letter';
  version: string;
  changedBy: string | null;
  changedAt: string | null;
}

export interface TemplateDetail extends TemplateSummary {
  subject: string;
  body: string;
  /** The variables the kind offers its templates. */
  variables: Record<string, VariableDoc>;
}

const MAX_SUBJECT = 1_000;
const MAX_BODY = 100_000;

export function createTemplateOperations(deps: {
  store: Pick<Store, 'templates'>;
  /** The letters slice's PDF renderer; without it a letter's preview has no PDF. */
  letterPdf?: LetterPdf;
}) {
  const { store } = deps;
  const renderer = createMessageRenderer({ stored: store.templates });

  const known = (kind: string) => {
    const k = kindOf(kind);
    if (!k) throw OperationRefused.notFound(`template kind ${kind}`);
    return k;
  };
  const checkLanguage = (language: string) => {
    if (!LANGUAGE_TAG.test(language))
      throw OperationRefused.invalid(`not a language tag: ${language}`, [
        { path: 'params.language', message: "must be a language tag such as 'zh-CN' or 'en'" },
      ]);
  };

  /** A template that does not parse or reads a variable its kind does not offer: 422 naming it. */
  function check(kind: string, t: { subject: string; body: string }): void {
    const k = known(kind);
    if (t.subject.includes('\n') && t.subject.trim().includes('\n'))
      throw OperationRefused.rejected('subject: the subject is one line', [
        { path: 'subject', message: 'must be one line' },
      ]);
    let parsed: ReturnType<typeof parseTemplate>;
    try {
      parsed = parseTemplate(t);
    } catch (err) {
      if (err instanceof TemplateError)
        throw OperationRefused.rejected(
          `Liquid syntax error in ${err.field}${err.line ? ` at line ${err.line}` : ''}: ${err.message}`,
          [{ path: err.field, message: `${err.line ? `line ${err.line}: ` : ''}${err.message}` }],
        );
      throw err;
    }
    const fields: { path: string; message: string }[] = [];
    for (const field of ['subject', 'body'] as const) {
      const paths = variablesOf(parsed)
        .filter((x) => x.field === field)
        .map((x) => x.path);
      for (const name of unknownVariables(k, paths))
        fields.push({
          path: field,
          message: `unknown variable '${name}': ${kind} offers ${Object.keys(k.variables).join(', ')}`,
        });
    }
    if (fields.length)
      throw OperationRefused.rejected(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  }

  async function inForce(kind: string, language: string): Promise<TemplateDetail | undefined> {
    const k = known(kind);
    const stored = await store.templates.inForce(kind, language);
    if (stored)
      return {
        kind,
        language,
        form: k.form,
        version: stored.version,
        changedBy: stored.changedBy,
        changedAt: stored.changedAt,
        subject: stored.subject,
        body: stored.body,
        variables: k.variables,
      };
    const file = shippedTemplate(kind, language);
    if (!file) return undefined;
    return {
      kind,
      language,
      form: k.form,
      version: 'shipped',
      changedBy: null,
      changedAt: null,
      subject: file.subject,
      body: file.body,
      variables: k.variables,
    };
  }

  return {
    renderer,

    /** Every kind in every language it has a template in, with the version in force. */
    async list(): Promise<TemplateSummary[]> {
      const stored = await store.templates.allInForce();
      const out = new Map<string, TemplateSummary>();
      for (const k of KINDS)
        for (const language of ['zh-CN', 'en'])
          if (shippedTemplate(k.kind, language))
            out.set(`${k.kind}|${language}`, {
              kind: k.kind,
              language,
              form: k.form,
              version: 'shipped',
              changedBy: null,
              changedAt: null,
            });
      for (const s of stored) {
        const k = kindOf(s.kind);
        if (!k) continue;
        out.set(`${s.kind}|${s.language}`, {
          kind: s.kind,
          language: s.language,
          form: k.form,
          version: s.version,
          changedBy: s.changedBy,
          changedAt: s.changedAt,
        });
      }
      return [...out.values()].sort((a, b) =>
        a.kind === b.kind ? a.language.localeCompare(b.language) : a.kind.localeCompare(b.kind),
      );
    },

    /** The version in force of a kind in a language (404 when the kind or the language has none). */
    async get(kind: string, language: string): Promise<TemplateDetail> {
      checkLanguage(language);
      const t = await inForce(kind, language);
      if (!t) throw OperationRefused.notFound(`template ${kind} in ${language}`);
      return t;
    },

    /**
     * Stores a new version, in force for the next message: checked first (422 naming a syntax error
     * with its line, or an unknown variable). A known kind in a new language adds the language.
     */
    async put(
      kind: string,
      language: string,
      t: { subject: string; body: string },
      actor: Actor,
    ): Promise<TemplateDetail> {
      checkLanguage(language);
      const k = known(kind);
      if (t.subject.length > MAX_SUBJECT || t.body.length > MAX_BODY)
        throw OperationRefused.rejected('the template is too long', [
          { path: t.subject.length > MAX_SUBJECT ? 'subject' : 'body', message: 'too long' },
        ]);
      check(kind, t);
      // It must render with the kind's sample data too (a filter given a wrong argument, a runaway loop).
      try {
        await renderer.renderTemplate(kind, language, { ...t, version: 'draft' }, k.sample);
      } catch (err) {
        throw OperationRefused.rejected(
          `the template does not render with the sample data: ${(err as Error).message}`,
          [{ path: 'body', message: (err as Error).message }],
        );
      }
      const row = await store.templates.insert({
        kind,
        language,
        subject: t.subject.trim(),
        body: t.body,
        changedBy: describeActor(actor),
        changedByActor: actor,
      });
      return {
        kind,
        language,
        form: k.form,
        version: row.version,
        changedBy: row.changedBy,
        changedAt: row.changedAt,
        subject: row.subject,
        body: row.body,
        variables: k.variables,
      };
    },

    /**
     * Renders the version in force (or `draft`) with the kind's sample data (or `data`): the e-mail's
     * subject, HTML and text, and for a letter kind the PDF when a letter renderer is wired.
     */
    async preview(
      kind: string,
      language: string,
      opts: { draft?: { subject: string; body: string }; data?: Record<string, unknown> },
    ): Promise<RenderedMessage & { pdf?: Buffer }> {
      checkLanguage(language);
      const k = known(kind);
      let template: TemplateVersion;
      let lang = language;
      if (opts.draft) {
        check(kind, opts.draft);
        template = { ...opts.draft, version: 'draft' };
      } else {
        try {
          const t = await renderer.templateFor(kind, language);
          template = t;
          lang = t.language;
        } catch (err) {
          if (err instanceof UnknownTemplate)
            throw OperationRefused.notFound(`template ${kind} in ${language}`);
          throw err;
        }
      }
      const data = opts.data ?? k.sample;
      let rendered: RenderedMessage;
      try {
        rendered = await renderer.renderTemplate(kind, lang, template, data);
      } catch (err) {
        throw OperationRefused.rejected(
          `the template does not render with this data: ${(err as Error).message}`,
          [{ path: opts.data ? 'data' : 'body', message: (err as Error).message }],
        );
      }
      if (k.form === 'letter' && deps.letterPdf)
        return { ...rendered, pdf: await deps.letterPdf(rendered, data) };
      return rendered;
    },
  };
}

export type TemplateOperations = ReturnType<typeof createTemplateOperations>;
