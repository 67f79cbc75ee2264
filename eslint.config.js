import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/generated/**",
      ".slipway/**",
      "test-results/**",
      "playwright-report/**",
      "**/next-env.d.ts",
      "docker/**/*.py",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": ["error", { object: "child_process", property: "exec", message: "Use execFile with an argument array." }],
    },
  },
  {
    // The configuration package is the only reader of process.env (scripts and tests aside).
    files: ["apps/**/*.ts", "apps/**/*.tsx", "packages/**/*.ts"],
    ignores: ["packages/config/**", "**/*.test.ts", "**/*.int.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read configuration through @slipway/config.",
        },
      ],
    },
  },
);
