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
} from "./chunk-C23GMAG5.js";
import "./chunk-J2BZPWDU.js";
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
