// Vite build of the admin UI. The output goes into the Python package (src/ecomsend/web/ui_dist,
// git-ignored) so `ecomsend serve` and the wheel serve it; FastAPI adds the SPA fallback.
import react from '@vitejs/plugin-react';
import {defineConfig} from 'vite';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../src/ecomsend/web/ui_dist',
    emptyOutDir: true,
    sourcemap: false,
    // Polaris is one large chunk shared by every page; pages are split per route.
    chunkSizeWarningLimit: 900,
  },
  server: {proxy: {'/api': 'http://127.0.0.1:8000', '/auth': 'http://127.0.0.1:8000'}},
});
