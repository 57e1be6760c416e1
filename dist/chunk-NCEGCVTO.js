#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  require_isomorphic_git
} from "./chunk-JJSPZO6U.js";
import "./chunk-XD6AUBDF.js";
import "./chunk-JQU5P57A.js";
export default require_isomorphic_git();
