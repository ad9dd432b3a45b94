// The page's functions, checked (make lint): no function or arrow function in www/js spans more than 120 lines,
// counted from the line of its head to the line of its closing brace. A longer one holds several ideas: split it into
// named functions. Dependency-free: a small tokenizer that knows strings, template literals (with nested ${}),
// comments and regex literals, then a pass that pairs brackets and tells a function body from a block or an object.
// Usage: node tools/check-functions.mjs [www/js] [--max 120] [--allow FILE:NAME …]
//   --allow panels/x.js:mount   tolerates that one function (path relative to the root); an allowance that matches
//                               nothing is reported on stderr but does not fail the check.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const PUNCTUATORS = ['>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=', '=>', '==', '!=',
  '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>'];
// After these words an expression starts, so a `/` opens a regex literal; after any other name it divides.
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw',
  'case', 'do', 'else', 'yield', 'await']);
// `keyword (…) {` opens a block, not a function body.
const BLOCK_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);

class SyntaxProblem extends Error {}

// The source as tokens { type: name | num | str | template | regex | punct, value, line }. A template literal is
// cut at its substitutions: the text up to `${` is a template token, `${` a punct that a `}` closes, after which
// the template goes on; comments are dropped.
export function tokenize(src) {
  const tokens = [];
  const braces = []; // '{' or '${' per open brace, so a `}` knows whether it resumes a template
  let i = 0;
  let line = 1;
  const fail = (what) => { throw new SyntaxProblem(`line ${line}: ${what}`); };
  const push = (type, value, at) => tokens.push({ type, value, line: at });
  const regexAllowed = () => {
    const prev = tokens.at(-1);
    if (!prev) return true;
    if (prev.type === 'name') return BEFORE_EXPRESSION.has(prev.value);
    if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
    return false; // after a string, number, regex or template literal
  };
  // Scans template text from i (just after ` or after the } closing a substitution) to its end or its next `${`.
  const templateText = () => {
    const start = line;
    let text = '';
    for (;;) {
      if (i >= src.length) fail('unterminated template literal');
      const c = src[i];
      if (c === '\\') { text += src.slice(i, i + 2); if (src[i + 1] === '\n') line++; i += 2; continue; }
      if (c === '`') { i++; push('template', `\`${text}`, start); return; }
      if (c === '$' && src[i + 1] === '{') {
        push('template', `\`${text}`, start); // (the backtick keeps a text such as `{` from passing for a punct)
        push('punct', '${', line);
        braces.push('${');
        i += 2;
        return;
      }
      if (c === '\n') line++;
      text += c;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      for (let k = i; k < end; k++) if (src[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '#' && i === 0 && src[1] === '!') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < src.length && src[k] !== c) {
        if (src[k] === '\n') fail('line break in a string');
        k += src[k] === '\\' ? 2 : 1;
      }
      if (k >= src.length) fail('unterminated string');
      push('str', src.slice(i, k + 1), line);
      line += src.slice(i, k + 1).split('\n').length - 1; // escaped line breaks
      i = k + 1;
      continue;
    }
    if (c === '`') { i++; templateText(); continue; }
    if (c === '/' && regexAllowed()) {
      let k = i + 1;
      let inClass = false;
      for (;; k++) {
        if (k >= src.length || src[k] === '\n') fail('unterminated regex literal');
        if (src[k] === '\\') { k++; continue; }
        if (src[k] === '[') inClass = true;
        else if (src[k] === ']') inClass = false;
        else if (src[k] === '/' && !inClass) break;
      }
      k++;
      while (k < src.length && /[a-z]/i.test(src[k])) k++;
      push('regex', src.slice(i, k), line);
      i = k;
      continue;
    }
    const word = /^[\p{L}\p{Nl}$_#][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*/u.exec(src.slice(i, i + 200));
    if (word) { push('name', word[0], line); i += word[0].length; continue; }
    const num = /^(0[xXoObB][\da-fA-F_]+n?|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?n?)/.exec(src.slice(i, i + 100));
    if (num) { push('num', num[0], line); i += num[0].length; continue; }
    if (c === '}') {
      if (!braces.length) fail('unmatched }');
      if (braces.pop() === '${') { push('punct', '}', line); i++; templateText(); continue; }
    } else if (c === '{') braces.push('{');
    const p = PUNCTUATORS.find((q) => src.startsWith(q, i)) ?? c;
    push('punct', p, line);
    i += p.length;
  }
  if (braces.length) fail('unclosed {');
  return tokens;
}

// The name a function is known by: `function name`, `name(…) {` (a method), `name = …` / `name: …` (a binding or a
// property); from the token index where its head starts, looking back.
function nameBefore(tokens, k) {
  const t = tokens[k - 1];
  const u = tokens[k - 2];
  if (t && u && (t.value === '=' || t.value === ':') && u.type === 'name') return u.value;
  return null;
}

// Every function with its name (or null), the line of its head and the line of its end.
export function functions(tokens) {
  const open = []; // { index, fn }
  const match = new Map(); // index of a `)` → index of its `(`
  const found = [];
  let pendingArrows = []; // expression-bodied arrows: { depth, name, line }, ended by `,` `;` or a closing bracket
  const endArrows = (depth, endLine) => {
    for (const a of pendingArrows.filter((x) => x.depth === depth)) found.push({ name: a.name, line: a.line, end: endLine });
    pendingArrows = pendingArrows.filter((x) => x.depth !== depth);
  };
  // Where an arrow's head starts (its parameter list or its one parameter, after an optional `async`).
  const arrowHead = (k) => {
    let h = tokens[k - 1].value === ')' ? match.get(k - 1) : k - 1;
    if (tokens[h - 1]?.value === 'async') h--;
    return h;
  };
  // Whether the `{` at k opens a function body, and the function's name and head line.
  const functionAt = (k) => {
    const prev = tokens[k - 1];
    if (prev?.value === '=>') {
      const h = arrowHead(k - 1);
      return { name: nameBefore(tokens, h), line: tokens[h].line };
    }
    if (prev?.value !== ')') return null;
    // The token before the parameter list: `function`, or the name of a function or a method.
    let h = match.get(k - 1) - 1;
    const before = tokens[h];
    if (!before || before.type !== 'name' || BLOCK_KEYWORDS.has(before.value)) return null;
    if (before.value === 'function') return { name: nameBefore(tokens, h), line: before.line };
    const name = before.value;
    while (['function', 'async', 'get', 'set', 'static', '*'].includes(tokens[h - 1]?.value)) h--;
    return { name, line: tokens[h].line };
  };
  tokens.forEach((tok, k) => {
    if (tok.type !== 'punct') return;
    const v = tok.value;
    if (v === ',' || v === ';') endArrows(open.length, tokens[k - 1].line);
    if (v === '(' || v === '[' || v === '${') open.push({ index: k, fn: null });
    else if (v === '{') open.push({ index: k, fn: functionAt(k) });
    else if (v === ')' || v === ']' || v === '}') {
      endArrows(open.length, tokens[k - 1].line);
      const o = open.pop();
      if (!o) throw new SyntaxProblem(`line ${tok.line}: unmatched ${v}`);
      const want = { ')': ['('], ']': ['['], '}': ['{', '${'] }[v];
      if (!want.includes(tokens[o.index].value)) throw new SyntaxProblem(`line ${tok.line}: ${v} closes ${tokens[o.index].value} of line ${tokens[o.index].line}`);
      if (v === ')') match.set(k, o.index);
      if (o.fn) found.push({ ...o.fn, end: tok.line });
    } else if (v === '=>' && tokens[k + 1]?.value !== '{') {
      const h = arrowHead(k);
      pendingArrows.push({ depth: open.length, name: nameBefore(tokens, h), line: tokens[h].line });
    }
  });
  if (open.length) throw new SyntaxProblem(`unclosed ${tokens[open.at(-1).index].value} of line ${tokens[open.at(-1).index].line}`);
  endArrows(0, tokens.at(-1)?.line ?? 1);
  return found.map((f) => ({ ...f, lines: f.end - f.line + 1 })).sort((a, b) => a.line - b.line);
}

function modules(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.js') || name.endsWith('.mjs') ? [path] : [];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  let rootArg = 'www/js';
  let max = 120;
  const allowed = new Set();
  for (let a = 0; a < args.length; a++) {
    if (args[a] === '--max') max = Number(args[++a]);
    else if (args[a] === '--allow') allowed.add(args[++a]);
    else rootArg = args[a];
  }
  const root = resolve(rootArg);
  const problems = [];
  const used = new Set();
  let count = 0;
  for (const file of modules(root).sort()) {
    const rel = relative(root, file);
    let list;
    try {
      list = functions(tokenize(readFileSync(file, 'utf8')));
    } catch (e) {
      if (!(e instanceof SyntaxProblem)) throw e;
      problems.push(`${rel}: cannot read: ${e.message}`);
      continue;
    }
    count += list.length;
    for (const f of list.filter((x) => x.lines > max)) {
      const key = `${rel}:${f.name ?? '(anonymous)'}`;
      if (allowed.has(key)) { used.add(key); continue; }
      problems.push(`${rel}:${f.line}: ${f.name ?? '(anonymous)'} spans ${f.lines} lines (at most ${max})`);
    }
  }
  for (const key of allowed) if (!used.has(key)) console.error(`note: --allow ${key} matches no function over ${max} lines: remove it`);
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`${count} functions under ${relative(process.cwd(), root) || root}: none over ${max} lines${used.size ? ` (${used.size} allowed for now)` : ''}`);
}
