import { toCsv } from './csv.js';

describe('a CSV answer', () => {
  it('has a header row, quotes what must be quoted, and defuses formulas a spreadsheet would run', () => {
    const csv = toCsv(
      [
        { name: 'Plain', note: 'a, "quoted" word', count: 3, gone: null },
        { name: '=HYPERLINK("x")', note: 'line\nbreak', count: -2, gone: null },
      ],
      ['name', 'note', 'count', 'gone'],
    );
    expect(csv.split('\r\n')).toEqual([
      'name,note,count,gone',
      'Plain,"a, ""quoted"" word",3,',
      `"'=HYPERLINK(""x"")","line\nbreak",-2,`,
      '',
    ]);
  });
});
