// Builds the console into console/dist, served by the server under /console.
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

/** Prints the gzipped size of the JavaScript the build wrote (the budget is 300 KB). */
function gzippedJsSize(): Plugin {
  return {
    name: "portcullis-gzipped-js-size",
    writeBundle(options, bundle) {
      let total = 0;
      for (const file of Object.keys(bundle).filter((f) => f.endsWith(".js")))
        total += gzipSync(readFileSync(join(options.dir ?? "dist", file))).length;
      const kb = (total / 1024).toFixed(1);
      console.log(`console JavaScript: ${kb} KB gzipped (budget 300 KB)`);
      if (total > 300 * 1024) throw new Error(`the console's JavaScript is ${kb} KB gzipped, over the 300 KB budget`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  plugins: [preact(), gzippedJsSize()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or data: modules: the server's Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
});
