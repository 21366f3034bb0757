// Lint configuration: typescript-eslint's type-checked recommendations over
// the server, its tests and benchmarks; formatting is prettier's job
// (eslint-config-prettier turns off the rules that would disagree with it).
//
// typescript-eslint reads types through TypeScript's JavaScript API, which
// TypeScript 7's native compiler does not ship; the `typescript` package is
// therefore 6.x (for lint only) and the build uses `typescript-native` (7.x).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      "console/dist/**",
      "console/src/graphql/generated.ts",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused parameters named with a leading underscore are deliberate
      // (interface conformance, express error handlers).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  prettier,
);
