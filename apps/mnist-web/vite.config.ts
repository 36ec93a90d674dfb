import { defaultClientConditions, defineConfig } from 'vite'
import { mnistData } from './mnistAssets.js'

/**
 * The headers that make the page cross-origin isolated, so nabla's matrix products may use worker threads
 * (SharedArrayBuffer); a host serving the built site must send them too (see README.md).
 */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

export default defineConfig({
  // relative URLs: the built site works from any folder of a host
  base: './',
  // nabla's packages from their TypeScript sources, as everywhere in the workspace
  resolve: { conditions: ['@nabla/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000, reportCompressedSize: false },
  plugins: [mnistData()],
})
