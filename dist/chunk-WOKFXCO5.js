#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);

// src/core/errors.ts
var VaultRolloutError = class extends Error {
  code;
  data;
  /** Exit code the edges map this error to (1 for errors: docs/exit-codes.md). */
  exitCode = 1;
  constructor(code, message, data = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.data = data;
  }
};
var ConfigError = class extends VaultRolloutError {
  constructor(message, data = {}) {
    super("ConfigError", message, data);
  }
};
var VaultError = class extends VaultRolloutError {
  constructor(message, data = {}) {
    super("VaultError", message, data);
  }
};
var GitError = class extends VaultRolloutError {
  constructor(message, data = {}) {
    super("GitError", message, data);
  }
};

export {
  VaultRolloutError,
  ConfigError,
  VaultError,
  GitError
};
