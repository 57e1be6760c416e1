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
} from "./chunk-Z3Q5PCPI.js";
import "./chunk-LA3NCHGA.js";
import "./chunk-LTON5VQS.js";
import "./chunk-33VOMAQR.js";
import "./chunk-WOKFXCO5.js";
import "./chunk-JQU5P57A.js";
export {
  discoverRepo,
  planRepo,
  problemsOfEnvironment,
  publishLoop,
  selectEnvironment,
  uniqueSecretPaths
};
