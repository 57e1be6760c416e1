#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  discoverRepo,
  planRepo,
  problemsOfEnvironment,
  publishLoop,
  selectEnvironment,
  uniqueSecretPaths
} from "./chunk-QXREGA2X.js";
import "./chunk-KSNRTPGI.js";
import "./chunk-PTX5TBPI.js";
import "./chunk-JQU5P57A.js";
export {
  discoverRepo,
  planRepo,
  problemsOfEnvironment,
  publishLoop,
  selectEnvironment,
  uniqueSecretPaths
};
