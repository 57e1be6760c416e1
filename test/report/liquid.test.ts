/**
 * The Liquid engine without a file system: include, render and layout reach only the configured template
 * files, by repository path; a template that names anything else, or hits a limit, is a TemplateError
 * naming the file and the line. Run from a folder holding a `.vault-token` so a leak would show.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/schema.js';
import { templateIssues } from '../../src/core/config/templates.js';
import {
  renderTemplate,
  TEMPLATE_LIMITS,
  TemplateError,
  templateProblem,
} from '../../src/core/report/liquid.js';

const SENTINEL = 'hvs.SENTINEL-do-not-publish';
let cwd: string;
let dir: string;

beforeAll(async () => {
  cwd = process.cwd();
  dir = await mkdtemp(join(tmpdir(), 'vr-liquid-'));
  await writeFile(join(dir, '.vault-token'), SENTINEL);
  await writeFile(join(dir, 'a.liquid'), SENTINEL);
  process.chdir(dir);
});
afterAll(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

const partials = new Map([
  ['ci/head.liquid', 'HEAD {{ restart }}'],
  ['ci/layout.liquid', '[{% block %}{% endblock %}]'],
]);
const render = (text: string, data: object = { restart: 2 }) =>
  renderTemplate({ file: 'ci/msg.liquid', text, partials }, data);

function failure(text: string): TemplateError {
  try {
    render(text);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error(`rendered: ${text}`);
}

describe('include, render and layout', () => {
  it('reach the configured templates by repository path', () => {
    expect(render("x {% include 'ci/head.liquid' %}")).toBe('x HEAD 2');
    expect(render("{% render 'ci/head.liquid', restart: 5 %}")).toBe('HEAD 5');
    expect(render("{% layout 'ci/layout.liquid' %}body")).toBe('[body]');
    expect(render('{% layout none %}plain')).toBe('plain');
  });

  it.each([
    ["rotate {% include '.vault-token' %}", '.vault-token', 1],
    ["{% include '.git/config' %}", '.git/config', 1],
    ["a\n{% render 'a.liquid' %}", 'a.liquid', 2],
    ["{% layout '/etc/passwd' %}x", '/etc/passwd', 1],
    ["{% include './ci/head.liquid' %}", './ci/head.liquid', 1],
    ["{% include 'ci/../.vault-token' %}", 'ci/../.vault-token', 1],
    ["{% include 'constructor' %}", 'constructor', 1],
    ["{% include '__proto__' %}", '__proto__', 1],
    ["{% liquid\n  include '.vault-token' %}", '.vault-token', 2],
    [
      "{% if true %}\n{% for x in (1..2) %}{% include '.vault-token' %}{% endfor %}{% endif %}",
      '.vault-token',
      2,
    ],
  ])('refuse any other name: %j', (text, name, line) => {
    const err = failure(text);
    expect(err.message).toBe(
      `template "ci/msg.liquid" line ${line} is not a valid Liquid template: "${name}" is not a configured template file: include, render and layout reach only the configured templates ("ci/head.liquid", "ci/layout.liquid")`,
    );
    expect(err.message).not.toContain(SENTINEL);
    expect(templateProblem({ file: 'ci/msg.liquid', text, partials })?.line).toBe(line);
  });

  it.each(['{% include name %}', "{% render 'ci/{{ name }}' %}", '{% layout name %}x'])(
    'refuse a name computed while rendering: %j',
    (text) => {
      expect(failure(text).message).toContain("needs the template's repository path as a quoted string");
    },
  );

  it('the shipped templates include nothing, so nothing is reachable from them', () => {
    const err = (() => {
      try {
        renderTemplate({ file: 'templates/pr-title.liquid', text: "{% include 'a.liquid' %}" }, {});
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.message).toContain('and none is set');
  });

  it('a template that includes itself stops at the nesting bound, and validate names the cycle', () => {
    const loop = new Map([['ci/loop.liquid', "x{% include 'ci/loop.liquid' %}"]]);
    expect(() =>
      renderTemplate({ file: 'ci/loop.liquid', text: loop.get('ci/loop.liquid')!, partials: loop }, {}),
    ).toThrow(
      `template "ci/loop.liquid" line 1 failed to render: include, render and layout nest more than ${TEMPLATE_LIMITS.depth} deep`,
    );
    const config = parseConfig('commit:\n  messageTemplate: ci/loop.liquid\n', 'c.yaml');
    expect(templateIssues(config, (p) => loop.get(p) ?? null).map((i) => i.message)).toEqual([
      '"ci/loop.liquid" includes itself ("ci/loop.liquid" -> "ci/loop.liquid"): a template may include the other configured templates, never itself',
    ]);
  });
});

describe('limits', () => {
  it('a nested loop ends at the render time bound, naming the file and line', () => {
    const start = Date.now();
    const err = failure('ok\n{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}');
    expect(Date.now() - start).toBeLessThan(TEMPLATE_LIMITS.renderMs + 1500);
    // Whichever bound the loop reaches first (time, or the inner ranges' memory on a fast machine) ends it.
    expect(err.message).toMatch(
      /^template "ci\/msg\.liquid" line 2 failed to render: (template render|memory alloc) limit exceeded$/,
    );
  });

  it('the time bound holds on empty loop bodies over an assigned range (no allocation per loop)', () => {
    const start = Date.now();
    const err = failure(
      '{% assign r = (1..3000) %}{% for i in r %}{% for j in r %}{% for k in r %}{% endfor %}{% endfor %}{% endfor %}',
    );
    expect(Date.now() - start).toBeLessThan(TEMPLATE_LIMITS.renderMs + 1500);
    expect(err.message).toContain('template render limit exceeded');
  });

  it('ranges and strings built by filters and capture are bounded in memory', () => {
    expect(failure('{% for i in (1..9000000) %}{% endfor %}').message).toContain(
      'memory alloc limit exceeded',
    );
    // capture doubling itself: without the charge, `split` on it aborted the process
    expect(
      failure(
        "{% for i in (1..40) %}{% capture s %}{{s}}{{s}}x{% endcapture %}{% endfor %}{{ s | split: '' }}",
      ).message,
    ).toContain('memory alloc limit exceeded');
  });

  it('the output is bounded', () => {
    expect(failure("{% for i in (1..400000) %}{{ 'xxxxxxxxxx' }}{% endfor %}").message).toContain(
      `output is over ${TEMPLATE_LIMITS.outputChars} characters`,
    );
  });

  it('the parse is bounded', () => {
    expect(failure('x'.repeat(TEMPLATE_LIMITS.parseChars + 1)).message).toContain(
      'parse length limit exceeded',
    );
  });
});
