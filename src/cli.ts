// Placeholder until the CLI lands (issue 2).
console.error('vault-rollout: not built yet');
process.exit(1);
