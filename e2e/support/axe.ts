// Named import: the package's types are CommonJS, so under NodeNext a default import is the
// module object.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

type Violations = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core on the current page (WCAG 2.1 A and AA) and fails on any violation. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  // Compared as "rule (node count)" so the diff stays short; the details go in the message.
  expect(
    violations.map((v) => `${v.id} (${v.nodes.length})`),
    `axe-core, ${page.url()}\n${describe(violations)}`,
  ).toEqual([]);
}

function describe(violations: Violations): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const why = (n.failureSummary ?? '').replace(/\n/g, '\n      ');
          return `    - ${n.target.join(' ')}\n      ${n.html}\n      ${why}`;
        })
        .join('\n');
      return `[${v.impact ?? 'n/a'}] ${v.id}: ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n\n');
}
