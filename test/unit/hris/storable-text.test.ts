import { describe, expect, it } from 'vitest';
import { findUnstorableText, unstorableReason } from '../../../src/hris/storable-text';

describe('text Postgres cannot store', () => {
  it.each([
    ['Ada Lovelace', undefined],
    ['tab\there, CR\r and LF\n are text', undefined],
    ['emoji 👩‍💻 and accents é are text', undefined],
    ['NUL\u0000inside', 'contains a NUL character'],
    ['bell\u0007', 'contains the control character U+0007'],
    ['escape\u001b[0m', 'contains the control character U+001B'],
    ['lone high \ud800 surrogate', 'contains an unpaired UTF-16 surrogate (not valid Unicode text)'],
    ['lone low \udc00 surrogate', 'contains an unpaired UTF-16 surrogate (not valid Unicode text)'],
  ])('%j -> %s', (text, reason) => {
    expect(unstorableReason(text)).toBe(reason);
  });

  it('names the first bad field by its JSON path, never its value', () => {
    const found = findUnstorableText({ employees: [{ id: '1', fields: { a: 'ok' } }, { id: '2', fields: { 'Work Email': 'x\u0000@acme.test' } }] });
    expect(found).toEqual({ path: 'employees[1].fields.Work Email', reason: 'contains a NUL character' });
    expect(JSON.stringify(found)).not.toContain('acme');
  });

  it('checks field names too, and shows the bad character as a code point', () => {
    expect(findUnstorableText({ fields: { 'first\u0000Name': 'Ada' } }, 'employees[0]')).toEqual({
      path: 'employees[0].fields.first\\u0000Name',
      reason: 'has a field name that contains a NUL character',
    });
  });

  it('passes numbers, booleans, null and clean nested values', () => {
    expect(findUnstorableText({ a: 1, b: true, c: null, d: [{ e: 'fine' }] })).toBeUndefined();
  });
});
