import { builtinAgent } from './builtin-agent.js';
import { formatAmount, formatMoney } from './money.js';
import { countWords, markdownTable } from './text/markdown.js';

const STATUS_LABEL: Readonly<Record<string, string>> = {
  on_track: 'On track',
  watch: 'Watch',
  over_budget: 'Over budget',
};

/**
 * `builtin.report-generator`: renders the financial analyzer's output as a Markdown report — headline
 * figures, the commentary when given, a department table (profit, margin, variance, growth, status), the
 * flags by severity and the highlights.
 */
export const reportGenerator = builtinAgent('builtin.report-generator', async (input, ctx) => {
  const title = input.string('title', { minLength: 1 }).trim();
  const period = input.string('period', { minLength: 1 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  const analysis = input.object('analysis');
  const commentary = input.optionalString('commentary')?.trim() ?? '';
  const totals = analysis.object('totals');
  const departments = analysis.objects('departments').map((d) => ({
    name: d.string('name'),
    profit: d.number('profit'),
    marginPercent: d.number('marginPercent'),
    budgetVariance: d.number('budgetVariance'),
    budgetVariancePercent: d.number('budgetVariancePercent'),
    revenueGrowthPercent: d.number('revenueGrowthPercent'),
    status: d.string('status'),
  }));
  const flags = analysis.objects('flags').map((f) => ({
    department: f.string('department'),
    severity: f.string('severity'),
    message: f.string('message'),
  }));
  const highlights = analysis.strings('highlights');
  await ctx.step();

  const sections: string[] = [];
  const headline = markdownTable(
    ['Figure', `Amount (${currency})`],
    [
      ['Revenue', formatAmount(totals.number('revenue'))],
      ['Expenses', formatAmount(totals.number('expenses'))],
      ['Profit', formatAmount(totals.number('profit'))],
      ['Margin', `${totals.number('marginPercent')}%`],
      ['Budget variance', formatAmount(totals.number('budgetVariance'))],
    ],
    ['left', 'right'],
  );
  sections.push(`## Headline figures\n\n${headline}${commentary === '' ? '' : `\n\n${commentary}`}`);
  sections.push(
    `## Departments\n\n${markdownTable(
      [
        'Department',
        `Profit (${currency})`,
        'Margin',
        `Budget variance (${currency})`,
        'Variance',
        'Revenue growth',
        'Status',
      ],
      departments.map((d) => [
        d.name,
        formatAmount(d.profit),
        `${d.marginPercent}%`,
        formatAmount(d.budgetVariance),
        `${d.budgetVariancePercent}%`,
        `${d.revenueGrowthPercent}%`,
        STATUS_LABEL[d.status] ?? d.status,
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    )}`,
  );
  sections.push(
    `## Flags\n\n${flags.length === 0 ? 'Nothing needs attention this period.' : flags.map((f) => `- **${f.severity.toUpperCase()}** · ${f.department}: ${f.message}`).join('\n')}`,
  );
  if (highlights.length > 0) sections.push(`## Highlights\n\n${highlights.map((h) => `- ${h}`).join('\n')}`);

  const profit = totals.number('profit');
  const markdown = `# ${title}\n\n_Period ${period} · ${currency} · ${profit >= 0 ? 'profit' : 'loss'} ${formatMoney(Math.abs(profit), currency)}_\n\n${sections.join('\n\n')}\n`;
  return { title, markdown, sectionCount: sections.length, wordCount: countWords(markdown) };
});
