/**
 * The real `git http-backend` test server lives in src/dev/git-dev-server.ts because `demo` ships it;
 * tests import it from here.
 */
export * from '../../src/dev/git-dev-server.js';
