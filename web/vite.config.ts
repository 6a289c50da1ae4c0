/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Preact's JSX through Vite's own transform (tsconfig: jsxImportSource "preact"); no plugin needed.
// `npm run dev` proxies the API to a running gateway (cargo run -p alert-system).
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
  },
  server: {
    proxy: {
      "/alert.v1.": "http://127.0.0.1:8080",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
