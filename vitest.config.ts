import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// One root configuration; each package and app with a test/ folder is a project.
// Packages resolve each other's TypeScript sources through the `@nabla/source` export condition.
const root = new URL('.', import.meta.url).pathname
const projects = ['packages', 'apps', 'tooling'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .filter((name) => existsSync(join(root, group, name, 'test')))
        .map((name) => ({
          extends: true as const,
          test: { name, root: join(root, group, name), include: ['test/**/*.test.ts'] },
        }))
    : [],
)

export default defineConfig({
  resolve: { conditions: ['@nabla/source'] },
  ssr: { resolve: { conditions: ['@nabla/source'] } },
  test: {
    projects,
    setupFiles: [join(root, 'tooling/test/src/setup.ts')],
    testTimeout: 60_000,
  },
})
