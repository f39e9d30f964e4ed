// The strict reader and writer of Converge's flat XML documents: what is accepted, and
// that everything outside that shape is refused rather than half-read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readReply, writeTxn } from './converge-xml.ts';

describe('converge xml: writing a request', () => {
  it('writes one element per field, in order, with text escaped', () => {
    assert.equal(writeTxn([['ssl_transaction_type', 'ccsale'], ['ssl_note', `a<b>&"c'`]]),
      '<txn><ssl_transaction_type>ccsale</ssl_transaction_type><ssl_note>a&lt;b&gt;&amp;&quot;c&apos;</ssl_note></txn>');
  });

  it('refuses a field name that is not a plain XML name', () => {
    assert.throws(() => writeTxn([['bad name', 'x']]));
  });

  it('reads back what it writes', () => {
    assert.deepEqual(readReply(writeTxn([['ssl_a', '1 & 2 < 3'], ['ssl_b', '']])), { ssl_a: '1 & 2 < 3', ssl_b: '' });
  });
});

describe('converge xml: reading a reply', () => {
  it('reads a flat txn with a declaration, whitespace, empty and self-closed elements and character references', () => {
    const body = '\uFEFF<?xml version="1.0"?>\n<txn>\n <ssl_result>0</ssl_result><ssl_a></ssl_a><ssl_b/><ssl_c>&#65;&#x42;&lt;</ssl_c>\n</txn>\n';
    assert.deepEqual(readReply(body), { ssl_result: '0', ssl_a: '', ssl_b: '', ssl_c: 'AB<' });
  });

  it('reads a txnquery list of one as that transaction, and an empty list as a count of 0', () => {
    const one = '<txnlist><ssl_txn_count>1</ssl_txn_count><txn><ssl_txn_id>T1</ssl_txn_id></txn></txnlist>';
    assert.deepEqual(readReply(one), { ssl_txn_id: 'T1' });
    assert.deepEqual(readReply('<txnlist><ssl_txn_count>0</ssl_txn_count></txnlist>'), { ssl_txn_count: '0' });
  });

  const refused: [string, string][] = [
    ['an empty body', ''],
    ['an HTML page', '<!DOCTYPE html><html><body>502</body></html>'],
    ['plain text', 'Service Unavailable'],
    ['an attribute', '<txn><ssl_result a="1">0</ssl_result></txn>'],
    ['a comment', '<txn><!-- x --><ssl_result>0</ssl_result></txn>'],
    ['CDATA', '<txn><ssl_result><![CDATA[0]]></ssl_result></txn>'],
    ['a repeated field', '<txn><ssl_result>0</ssl_result><ssl_result>1</ssl_result></txn>'],
    ['mixed content', '<txn>text<ssl_result>0</ssl_result></txn>'],
    ['a mismatched close', '<txn><ssl_result>0</ssl_resul></txn>'],
    ['a truncated document', '<txn><ssl_result>0</ssl_result>'],
    ['trailing content', '<txn><ssl_result>0</ssl_result></txn><txn/>'],
    ['an unknown entity', '<txn><ssl_a>&nbsp;</ssl_a></txn>'],
    ['a bare ampersand', '<txn><ssl_a>a & b</ssl_a></txn>'],
    ['nesting too deep', '<txn><a><b><c>1</c></b></a></txn>'],
    ['another root', '<reply><ssl_result>0</ssl_result></reply>'],
    ['a list of two', '<txnlist><ssl_txn_count>2</ssl_txn_count><txn><ssl_a>1</ssl_a></txn><txn><ssl_a>2</ssl_a></txn></txnlist>'],
    ['a list whose count disagrees', '<txnlist><ssl_txn_count>0</ssl_txn_count><txn><ssl_a>1</ssl_a></txn></txnlist>'],
    ['a list with other elements', '<txnlist><ssl_txn_count>1</ssl_txn_count><x>1</x><txn><ssl_a>1</ssl_a></txn></txnlist>'],
  ];
  for (const [what, body] of refused) {
    it(`refuses ${what}`, () => {
      assert.equal(readReply(body), null);
    });
  }
});
