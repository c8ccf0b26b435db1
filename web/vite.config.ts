import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web UI is a static single-page app: `npm run build:web` writes web/dist, which the node
 * serves (falling back to index.html for client-side routes). `npx vite --config web/vite.config.ts`
 * runs a dev server that proxies the API to a running node (COUNTERSIGN_API, default the demo US node).
 */
const api = process.env.COUNTERSIGN_API ?? 'http://127.0.0.1:4101';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': { target: api, changeOrigin: false } } },
});
