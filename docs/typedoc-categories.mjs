// A local TypeDoc plugin for two rules of the reference:
// - every export is filed under a topic by its `@category` tag, so an export of an entry point without one (other
//   than a re-export of another entry point's name) is a warning;
// - every export shows how it is used: an export whose comment has no `@example` block (on the declaration, or on
//   a function's first signature) is a warning.
// With treatWarningsAsErrors, either fails the build and names the export.
import { Application, ReflectionKind } from 'typedoc'

/** The comments that may hold an export's tags: its own, and its signatures' (functions keep theirs there). */
const commentsOf = (reflection) => [
  reflection.comment,
  ...(reflection.signatures ?? []).map((s) => s.comment),
  ...(reflection.type?.declaration?.signatures ?? []).map((s) => s.comment),
]

const hasExample = (reflection) => commentsOf(reflection).some((c) => c?.getTag('@example') !== undefined)

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const fallback = app.options.getValue('defaultCategory')
    for (const mod of project.getReflectionsByKind(ReflectionKind.Module)) {
      const filed = new Set()
      for (const category of mod.categories ?? []) {
        if (category.title !== fallback) for (const child of category.children) filed.add(child)
      }
      for (const child of mod.children ?? []) {
        if (child.kindOf(ReflectionKind.Reference)) continue
        if (!filed.has(child)) {
          app.logger.warn(
            `${child.getFriendlyFullName()} (${ReflectionKind[child.kind]}) has no @category tag: add one naming its topic`,
          )
        }
        if (!hasExample(child)) {
          app.logger.warn(
            `${child.getFriendlyFullName()} (${ReflectionKind[child.kind]}) has no @example: add one that the doctests run`,
          )
        }
      }
    }
  })
}
