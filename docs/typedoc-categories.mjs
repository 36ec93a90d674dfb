// A local TypeDoc plugin: every export is filed under a topic by its `@category` tag, so an export of an entry
// point without one (other than a re-export of another entry point's name) is a warning, and with
// treatWarningsAsErrors a failed build that names it.
import { Application, ReflectionKind } from 'typedoc'

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
        if (filed.has(child) || child.kindOf(ReflectionKind.Reference)) continue
        app.logger.warn(
          `${child.getFriendlyFullName()} (${ReflectionKind[child.kind]}) has no @category tag: add one naming its topic`,
        )
      }
    }
  })
}
