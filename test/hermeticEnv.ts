/**
 * Loaded by mocha before the unit and simulation tiers (.mocharc.json, .mocharc.sim.json): the
 * tests must not depend on who runs them. A CI job's environment (or a developer's shell) can
 * carry variables the program and its providers read: credentials, the test-only endpoint
 * overrides and their switch, HTTP tuning, and `AZURE_TOKEN_CREDENTIALS`, which narrows
 * DefaultAzureCredential to one source (the workflow harness sets it for its jobs, and `npm test`
 * runs inside the checks job). Each test sets the ones it needs itself (test/http/fakeServer.ts
 * `useEnv`). CA bundles, proxies, `CI` and everything else are left as they are.
 */
const READ_BY_THE_PROGRAM = /^(AZURE_|ARM_|AZDO_|DBT_CLOUD_|DBT_ADO_)/;

for (const name of Object.keys(process.env)) {
    if (READ_BY_THE_PROGRAM.test(name)) {
        delete process.env[name];
    }
}
