/** Builds the dashboard into dashboard/dist; the envplane server serves it at `/`. */
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Everything the page needs comes from the envplane server: no CDN, no inline script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev:dashboard` proxies the API to a server on :4000.
    proxy: { "/graphql": "http://127.0.0.1:4000", "/auth": "http://127.0.0.1:4000" },
  },
});
