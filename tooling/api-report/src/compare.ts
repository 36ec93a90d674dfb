/** What differs between a checked-in report and the one the sources give, said per entry point and name. */
import { augmentationsHeading, type Block, parseReport, type Section, unexportedHeading } from './render.js'

/** Lines of `before` and `after` as a diff: `-` removed, `+` added, common lines left out. */
export const diffLines = (before: readonly string[], after: readonly string[]): string[] => {
  // longest common subsequence, then a walk that prints removals before additions
  const n = before.length
  const m = after.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        before[i] === after[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number)
  const out: string[] = []
  let i = 0
  let j = 0
  const removed: string[] = []
  const added: string[] = []
  const flush = (): void => {
    out.push(...removed.splice(0).map((l) => `- ${l}`), ...added.splice(0).map((l) => `+ ${l}`))
  }
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      flush()
      i++
      j++
    } else if (j >= m || (i < n && ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number)))
      removed.push(before[i++] as string)
    else added.push(after[j++] as string)
  }
  flush()
  return out
}

export interface Difference {
  /** `@nabla/ndarray/core`, or the section's heading, or '' for the text around the sections. */
  readonly section: string
  readonly change: 'added' | 'removed' | 'changed'
  /** The export's name (with its module for unexported types), the entry point's for whole sections. */
  readonly name: string
  /** `- old` / `+ new` lines. */
  readonly lines: readonly string[]
}

const blockMap = (blocks: readonly Block[]): Map<string, Block> => new Map(blocks.map((b) => [b.key, b]))

const sectionDifferences = (before: Section, after: Section): Difference[] => {
  const out: Difference[] = []
  const old = blockMap(before.blocks)
  const now = blockMap(after.blocks)
  for (const block of after.blocks) {
    const was = old.get(block.key)
    if (was === undefined)
      out.push({ section: after.title, change: 'added', name: block.key, lines: block.lines.map((l) => `+ ${l}`) })
    else if (was.lines.join('\n') !== block.lines.join('\n'))
      out.push({ section: after.title, change: 'changed', name: block.key, lines: diffLines(was.lines, block.lines) })
  }
  for (const block of before.blocks)
    if (!now.has(block.key))
      out.push({ section: after.title, change: 'removed', name: block.key, lines: block.lines.map((l) => `- ${l}`) })
  // the same declarations in another order, or a different text around them
  if (out.length === 0) {
    const lines = diffLines(
      [...before.prose, ...before.blocks.flatMap((b) => b.lines)],
      [...after.prose, ...after.blocks.flatMap((b) => b.lines)],
    )
    if (lines.length > 0) out.push({ section: after.title, change: 'changed', name: '', lines })
  }
  return out
}

/** Every difference between the checked-in report `before` and the generated `after`. */
export const compareReports = (before: string, after: string): Difference[] => {
  if (before.replace(/\r\n/g, '\n') === after) return []
  const old = parseReport(before)
  const now = parseReport(after)
  const out: Difference[] = []
  const oldSections = new Map(old.sections.map((s) => [s.title, s]))
  const newTitles = new Set(now.sections.map((s) => s.title))
  for (const section of now.sections) {
    const was = oldSections.get(section.title)
    if (was === undefined)
      out.push({
        section: section.title,
        change: 'added',
        name: section.title,
        lines: section.blocks.map((b) => `+ ${b.key}`),
      })
    else out.push(...sectionDifferences(was, section))
  }
  for (const section of old.sections)
    if (!newTitles.has(section.title))
      out.push({
        section: section.title,
        change: 'removed',
        name: section.title,
        lines: section.blocks.map((b) => `- ${b.key}`),
      })
  // only the text around the declarations differs (an entry point's count follows its names, so it is not
  // worth a line of its own when names changed)
  if (out.length === 0) {
    const lines = diffLines(old.preamble, now.preamble)
    out.push({ section: '', change: 'changed', name: '', lines: lines.length > 0 ? lines : ['(whitespace only)'] })
  }
  return out
}

/** The differences as the check prints them, at most `limit` lines of diff per report. */
export const describeDifferences = (differences: readonly Difference[], limit = 60): string[] => {
  const out: string[] = []
  let shown = 0
  let hidden = 0
  for (const d of differences) {
    const where = d.section === '' ? 'the text around the declarations' : d.section
    const isEntry = d.section !== unexportedHeading && d.section !== augmentationsHeading
    const what =
      d.name === d.section
        ? isEntry
          ? `entry point \`${d.name}\` ${d.change}`
          : `section "${d.name}" ${d.change}`
        : d.name === ''
          ? `${where}: changed`
          : `${where}: ${d.change} \`${d.name}\``
    out.push(`  ${what}`)
    for (const line of d.lines) {
      if (shown < limit) {
        out.push(`      ${line}`)
        shown++
      } else hidden++
    }
  }
  if (hidden > 0) out.push(`  … and ${hidden} more changed lines (see the diff of the updated report)`)
  return out
}
