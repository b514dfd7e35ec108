/**
 * The console speaks English and Russian completely: every message exists in both, with the
 * same placeholders, and no page renders text that is not a message (a view's literal text
 * would stay English on the Russian page).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { MESSAGES, negotiateLocale, translate, type MessageKey } from './index';

const API_DIR = path.join(__dirname, '..');

/**
 * Text a view may write as it is: punctuation, separators, symbols, numbers and names that
 * read the same in every language (the product, the API format, a path) — no words.
 */
const NOT_WORDS = /^[^\p{L}]*(?:(?:clipfleet|OpenAPI|\/openapi\.json)[^\p{L}]*)*$/u;
/**
 * Attributes of HTML elements a person reads (or hears): their literal values must be
 * messages too. (A placeholder shows an example value, which is data, e.g. `0 9 * * MON-FRI`.)
 */
const READ_ATTRIBUTES = new Set(['title', 'aria-label', 'alt', 'label', 'aria-description']);

/** Every `.tsx` file under api/ (the pages and the routes that render them). */
function viewFiles(dir = API_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return viewFiles(full);
    return entry.name.endsWith('.tsx') ? [full] : [];
  });
}

/** Literal words in JSX: text between tags, `{'…'}`, `{x ? '…' : '…'}`, and read attributes. */
function literalWords(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const where = (node: ts.Node) => `${path.relative(API_DIR, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const checkExpression = (expr: ts.Expression | undefined): void => {
    if (!expr) return;
    if ((ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) && !NOT_WORDS.test(expr.text)) found.push(`${where(expr)} ${JSON.stringify(expr.text)}`);
    else if (ts.isConditionalExpression(expr)) [expr.whenTrue, expr.whenFalse].forEach(checkExpression);
    else if (
      ts.isBinaryExpression(expr) &&
      (expr.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        expr.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
        expr.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    )
      checkExpression(expr.right);
    else if (ts.isParenthesizedExpression(expr)) checkExpression(expr.expression);
    else if (ts.isTemplateExpression(expr) && [expr.head.text, ...expr.templateSpans.map((s) => s.literal.text)].some((t) => !NOT_WORDS.test(t)))
      found.push(`${where(expr)} ${expr.getText()}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && !NOT_WORDS.test(node.text.trim())) found.push(`${where(node)} ${JSON.stringify(node.text.trim())}`);
    if (ts.isJsxExpression(node) && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) checkExpression(node.expression);
    // A list of words handed to a component (a table's column headings) is read too.
    if (
      ts.isJsxAttribute(node) &&
      node.initializer &&
      ts.isJsxExpression(node.initializer) &&
      node.initializer.expression &&
      ts.isArrayLiteralExpression(node.initializer.expression)
    ) {
      node.initializer.expression.elements.forEach((e) => checkExpression(e as ts.Expression));
    }
    const element = ts.isJsxAttribute(node) ? node.parent.parent : undefined;
    const intrinsic = element && (ts.isJsxOpeningElement(element) || ts.isJsxSelfClosingElement(element)) && /^[a-z]/.test(element.tagName.getText());
    if (ts.isJsxAttribute(node) && intrinsic && READ_ATTRIBUTES.has(node.name.getText())) {
      const init = node.initializer;
      if (init && ts.isStringLiteral(init) && !NOT_WORDS.test(init.text)) found.push(`${where(node)} ${node.getText()}`);
      if (init && ts.isJsxExpression(init)) checkExpression(init.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the console in English and Russian', () => {
  it('every message has a non-empty Russian text with the same placeholders as the English one', () => {
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    assert.ok(keys.length > 40, 'the messages are loaded');
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const problems = keys.flatMap((key) => {
      const ru = MESSAGES.ru[key];
      if (typeof ru !== 'string' || ru.trim() === '') return [`${key}: no Russian text`];
      if (JSON.stringify(placeholders(ru)) !== JSON.stringify(placeholders(MESSAGES.en[key]))) return [`${key}: placeholders differ`];
      return [];
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(Object.keys(MESSAGES.ru).sort(), [...keys].sort(), 'no Russian message without an English one');
  });

  it('most Russian texts are in Russian (a copied English text is not a translation)', () => {
    const words = /[a-z]{3,}/i;
    const cyrillic = /\p{Script=Cyrillic}/u;
    const english = (Object.keys(MESSAGES.en) as MessageKey[]).filter((key) => words.test(MESSAGES.en[key].replace(/\{\w+\}/g, '')) && !cyrillic.test(MESSAGES.ru[key]));
    // Names that read the same in both (clipfleet, API, a language's own name) are allowed by listing them.
    const SAME_IN_BOTH: MessageKey[] = ['common.appName', 'common.nav.api', 'bulkPage.webUi', 'bulkPage.webUiShort', 'schedules.form.cron', 'schedules.when.cron'];
    assert.deepEqual(
      english.filter((k) => !SAME_IN_BOTH.includes(k)),
      [],
    );
  });

  it('no page writes literal words: every text a person reads is a message', () => {
    const files = viewFiles();
    assert.ok(files.length > 10, 'the views are found');
    assert.deepEqual(files.flatMap(literalWords), []);
  });

  it("the language is the operator's choice, else the browser's first one we speak, else English", () => {
    assert.equal(negotiateLocale(undefined, 'ru-RU,ru;q=0.9,en-US;q=0.8'), 'ru');
    assert.equal(negotiateLocale(undefined, 'de-DE,de;q=0.9,ru;q=0.5,en;q=0.4'), 'ru');
    assert.equal(negotiateLocale(undefined, 'en;q=0.2,ru;q=0.8'), 'ru');
    assert.equal(negotiateLocale('en', 'ru-RU'), 'en', 'the switch wins over the browser');
    assert.equal(negotiateLocale(undefined, 'fr, de'), 'en');
    assert.equal(negotiateLocale('xx', undefined), 'en');
    assert.equal(translate('ru', 'common.connectFailed.title', { platform: 'YouTube' }), 'Не удалось подключить YouTube');
  });
});
