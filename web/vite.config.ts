/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The lakecat API the dev server and `vite preview` forward /graphql and /auth to.
const api = process.env.LAKECAT_API ?? 'http://127.0.0.1:8080';
const proxy = {
  '/graphql': { target: api, changeOrigin: true },
  '/auth': { target: api, changeOrigin: true },
};

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: { proxy },
  preview: { proxy },
  build: { target: 'es2022', sourcemap: false },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
